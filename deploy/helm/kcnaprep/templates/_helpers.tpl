{{- define "kcnaprep.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}{{ .Release.Name | trunc 63 | trimSuffix "-" }}{{ else }}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{ end }}
{{- end }}

{{- define "kcnaprep.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kcnaprep.labels" -}}
{{ include "kcnaprep.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "kcnaprep.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}{{ default (include "kcnaprep.fullname" .) .Values.serviceAccount.name }}{{ else }}{{ default "default" .Values.serviceAccount.name }}{{ end }}
{{- end }}

{{- define "kcnaprep.adminSecret" -}}
{{- default (printf "%s-admin" (include "kcnaprep.fullname" .)) .Values.admin.existingSecret }}
{{- end }}

{{- define "kcnaprep.claim" -}}
{{- default (printf "%s-data" (include "kcnaprep.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{- define "kcnaprep.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end }}
