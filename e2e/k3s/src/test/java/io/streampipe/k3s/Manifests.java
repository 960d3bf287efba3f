package io.streampipe.k3s;

/** The in-cluster services of the scenario, as a user would write them (single replicas, no persistence). */
final class Manifests {
    private Manifests() {
    }

    /**
     * Apache Kafka's image in KRaft mode. The SCRAM user is created when the storage is formatted, the way KRaft
     * clusters get their first SCRAM credentials (kafka-storage format --add-scram). The PLAINTEXT listener is for
     * the broker itself and the test's producer inside the pod, so it advertises localhost (no hairpin through the
     * Service); the pipeline reads through kafka:9092.
     */
    static String kafka(String version, String user, String password) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: kafka-config, namespace: %1$s}
                data:
                  server.properties: |
                    process.roles=broker,controller
                    node.id=1
                    controller.quorum.voters=1@localhost:9094
                    listeners=SASL_PLAINTEXT://:9092,PLAINTEXT://:9093,CONTROLLER://:9094
                    advertised.listeners=SASL_PLAINTEXT://kafka:9092,PLAINTEXT://localhost:9093
                    listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                    controller.listener.names=CONTROLLER
                    inter.broker.listener.name=PLAINTEXT
                    sasl.enabled.mechanisms=SCRAM-SHA-512
                    listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
                    log.dirs=/tmp/kraft-logs
                    offsets.topic.replication.factor=1
                    transaction.state.log.replication.factor=1
                    transaction.state.log.min.isr=1
                    group.initial.rebalance.delay.ms=0
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: kafka, namespace: %1$s}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: kafka}}
                  template:
                    metadata: {labels: {app: kafka}}
                    spec:
                      containers:
                        - name: kafka
                          image: apache/kafka:%2$s
                          command: [sh, -c]
                          args:
                            - >-
                              /opt/kafka/bin/kafka-storage.sh format -t "$(/opt/kafka/bin/kafka-storage.sh random-uuid)"
                              -c /etc/streampipe-kafka/server.properties
                              --add-scram 'SCRAM-SHA-512=[name=%3$s,password=%4$s]'
                              && exec /opt/kafka/bin/kafka-server-start.sh /etc/streampipe-kafka/server.properties
                          ports: [{containerPort: 9092}, {containerPort: 9093}]
                          readinessProbe:
                            tcpSocket: {port: 9093}
                            periodSeconds: 3
                          volumeMounts: [{name: config, mountPath: /etc/streampipe-kafka}]
                      volumes: [{name: config, configMap: {name: kafka-config}}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: kafka, namespace: %1$s}
                spec:
                  selector: {app: kafka}
                  ports: [{name: sasl, port: 9092}, {name: plain, port: 9093}]
                """.formatted(K3sCluster.NAMESPACE, version, user, password);
    }

    static String postgres(String image, String password) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: postgres, namespace: %1$s}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: postgres}}
                  template:
                    metadata: {labels: {app: postgres}}
                    spec:
                      containers:
                        - name: postgres
                          image: %2$s
                          env:
                            - {name: POSTGRES_USER, value: shop}
                            - {name: POSTGRES_DB, value: shop}
                            - {name: POSTGRES_PASSWORD, valueFrom: {secretKeyRef: {name: shop-db-server, key: password}}}
                          ports: [{containerPort: 5432}]
                          readinessProbe:
                            exec: {command: [pg_isready, -U, shop, -d, shop]}
                            periodSeconds: 3
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: shop-db-server, namespace: %1$s}
                stringData: {password: "%3$s"}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: postgres, namespace: %1$s}
                spec:
                  selector: {app: postgres}
                  ports: [{port: 5432}]
                """.formatted(K3sCluster.NAMESPACE, image, password);
    }

    /** A hostPath volume bound in advance to the claim the operator will create (see K3sCluster#stateVolume). */
    static String preBoundVolume(String namespace, String claim, String hostPath) {
        return """
                apiVersion: v1
                kind: PersistentVolume
                metadata: {name: %2$s-%1$s}
                spec:
                  capacity: {storage: 5Gi}
                  accessModes: [ReadWriteMany]
                  storageClassName: local-path
                  persistentVolumeReclaimPolicy: Retain
                  claimRef: {namespace: %1$s, name: %2$s}
                  hostPath: {path: %3$s, type: Directory}
                """.formatted(namespace, claim, hostPath);
    }
}
