package io.streampipe.operator.status;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/troubleshooting.md has one entry (a "### `Reason`" heading) for each reason the operator can set, and no other. */
class ReasonsDocumentedTest {
    private static final Path GUIDE = Path.of("../docs/troubleshooting.md");
    private static final Pattern ENTRY = Pattern.compile("^### `([A-Za-z]+)`$", Pattern.MULTILINE);

    private static List<String> documented() throws IOException {
        Matcher entries = ENTRY.matcher(Files.readString(GUIDE));
        List<String> reasons = new ArrayList<>();
        while (entries.find()) {
            reasons.add(entries.group(1));
        }
        return reasons;
    }

    @Test
    void everyReasonHasAnEntry() throws IOException {
        assertThat(documented()).as("reasons with an entry in %s", GUIDE).containsAll(Reasons.all());
    }

    @Test
    void everyEntryIsAReasonAndAppearsOnce() throws IOException {
        assertThat(documented()).as("entries of %s that are not in Reasons.all()", GUIDE)
                .doesNotHaveDuplicates()
                .allSatisfy(reason -> assertThat(Reasons.all()).contains(reason));
    }
}
