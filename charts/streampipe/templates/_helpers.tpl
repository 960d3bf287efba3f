{{- define "streampipe.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "streampipe.fullname" -}}
{{- printf "%s-operator" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "streampipe.labels" -}}
app.kubernetes.io/name: {{ include "streampipe.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "streampipe.selectorLabels" -}}
app.kubernetes.io/name: {{ include "streampipe.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "streampipe.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "streampipe.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The rules the operator needs, shared by the ClusterRole and the per-namespace Roles. */}}
{{- define "streampipe.rules" -}}
- apiGroups: [streampipe.io]
  resources: [streamingpipelines]
  verbs: [get, list, watch, patch, update]
- apiGroups: [streampipe.io]
  resources: [streamingpipelines/status, streamingpipelines/finalizers]
  verbs: [get, patch, update]
- apiGroups: [flink.apache.org]
  resources: [flinkdeployments]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [flink.apache.org]
  resources: [flinkdeployments/status]
  verbs: [get]
- apiGroups: [""]
  resources: [configmaps, persistentvolumeclaims]
  verbs: [get, list, watch, create, patch, update, delete]
# Only to check that referenced Secrets and keys exist; values are never read into the operator's output.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch]
- apiGroups: ["", events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
