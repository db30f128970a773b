package bundle

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/domain"
	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	"github.com/kcnaprep/kcnaprep/internal/labapp"
)

// clusterScopedKinds are kinds a namespace lab's set-up may not create: they would outlive the
// namespace and could not be created with a learner's namespace-only access.
var clusterScopedKinds = []string{"Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole",
	"ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "IngressClass", "RuntimeClass",
	"CSIDriver", "VolumeAttachment", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
	"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService", "CertificateSigningRequest"}

// imageProblem says why an image reference may not be used by a lab, or "".
func imageProblem(img string) string {
	if strings.Contains(img, "@sha256:") {
		return "" // pinned by digest
	}
	name := img
	if i := strings.LastIndex(img, "/"); i >= 0 {
		name = img[i+1:]
	}
	_, tag, ok := strings.Cut(name, ":")
	if !ok || tag == "" || tag == "latest" {
		return fmt.Sprintf("image %q needs an explicit tag other than latest: labs must not depend on what a registry serves today", img)
	}
	return ""
}

func (l *loader) loadSetup(lf *labFile, b *Bundle) {
	for i, name := range lf.Setup {
		file := "labs/" + l.dir + "/" + name
		if strings.Contains(name, "..") || path.IsAbs(name) {
			l.add(l.line("setup", i), "set-up file %q must be inside the lab folder", name)
			continue
		}
		data, err := fs.ReadFile(l.fsys, path.Join(l.dir, name))
		if err != nil {
			l.add(l.line("setup", i), "set-up file %s: %v", name, err)
			continue
		}
		b.setup = append(b.setup, setupFile{name: name, data: data})
		docs, err := kube.ParseManifests([]byte(strings.ReplaceAll(string(data), NamespaceVar, "lab-namespace")))
		var me *kube.ManifestError
		if errors.As(err, &me) {
			l.addFile(file, me.Line, "%s", me.Msg)
			continue
		}
		if err != nil {
			l.addFile(file, 0, "%v", err)
			continue
		}
		for _, d := range docs {
			kind := d.Object.GetKind()
			if d.Object.GetNamespace() != "" {
				l.addFile(file, d.Line, "%s %s: leave metadata.namespace out; set-up objects go to the lab's namespace", kind, d.Object.GetName())
			}
			if lf.Scope == domain.LabScopeNamespace && slices.Contains(clusterScopedKinds, kind) {
				l.addFile(file, d.Line, "%s is cluster-scoped: a namespace lab cannot create it (use scope: cluster)", kind)
			}
			for _, c := range containers(d.Object.Object) {
				img, _ := c["image"].(string)
				pull, _ := c["imagePullPolicy"].(string)
				switch {
				case img == "":
					l.addFile(file, d.Line, "%s %s: a container has no image", kind, d.Object.GetName())
				case img != labapp.Image && !slices.Contains(lf.Images, img):
					l.addFile(file, d.Line, "%s %s: image %s is neither %s nor listed under images in lab.yaml", kind, d.Object.GetName(), img, labapp.Image)
				}
				if pull != "IfNotPresent" && pull != "Never" {
					l.addFile(file, d.Line, "%s %s: container %v needs imagePullPolicy: IfNotPresent, so labs work offline", kind, d.Object.GetName(), c["name"])
				}
			}
		}
	}
}

// containers finds every container spec in an object (pods, pod templates, job templates).
func containers(v any) []map[string]any {
	var out []map[string]any
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if k == "containers" || k == "initContainers" {
				if list, ok := val.([]any); ok {
					for _, c := range list {
						if m, ok := c.(map[string]any); ok {
							out = append(out, m)
						}
					}
					continue
				}
			}
			out = append(out, containers(val)...)
		}
	case []any:
		for _, val := range x {
			out = append(out, containers(val)...)
		}
	}
	return out
}
