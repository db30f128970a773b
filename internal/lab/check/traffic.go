package check

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/kcnaprep/kcnaprep/internal/lab/kube"
	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// A traffic check grades NetworkPolicies by the traffic they let in, as a network plugin would
// enforce them, never by their shape: any spelling that allows the same peers on the same ports
// passes, and a policy that also opens the Pods to anyone else fails, however it is written.
//
// It does not send packets (whether traffic is really blocked depends on the cluster's network
// plugin, and the grade must mean the same everywhere): it evaluates the namespace's policies
// for destination Pods (the real ones and a new one with the labels given) against every source
// the policies could admit. Sources are the namespace's Pods, the same Pods in another
// namespace, a Pod with no labels here and elsewhere, an address outside the cluster, and one
// witness for each peer any policy names (a Pod its selectors match, an address of its ipBlock),
// each tried on every port the policies mention plus ports they do not.

const (
	otherNamespace = "kcnaprep-other-namespace"
	outsideIP      = "203.0.113.7" // TEST-NET-3: an address outside any cluster
	nameLabel      = "kubernetes.io/metadata.name"
)

// netPort is a port and protocol.
type netPort struct {
	num   int32
	proto corev1.Protocol
}

func (p netPort) String() string { return fmt.Sprintf("%s %d", p.proto, p.num) }

func parsePort(s string) (netPort, error) {
	num, proto, ok := strings.Cut(s, "/")
	p := netPort{proto: corev1.ProtocolTCP}
	if ok {
		p.proto = corev1.Protocol(strings.ToUpper(proto))
		if !slices.Contains([]corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP}, p.proto) {
			return p, fmt.Errorf("port %q: protocol must be TCP, UDP or SCTP", s)
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 65535 {
		return p, fmt.Errorf("port %q: write a number from 1 to 65535, optionally with /UDP or /SCTP", s)
	}
	p.num = int32(n)
	return p, nil
}

// endpoint is a source or destination of traffic.
type endpoint struct {
	labels    map[string]string
	namespace string
	nsLabels  map[string]string
	ip        string                 // set for addresses outside the cluster
	ports     []corev1.ContainerPort // a destination's container ports, for named ports
}

func (e endpoint) describe(labNS string) string {
	if e.ip != "" {
		return "address " + e.ip + " (outside the cluster)"
	}
	who := "any Pod"
	if len(e.labels) > 0 {
		who = "Pods labelled " + labels.Set(e.labels).String()
	}
	switch {
	case e.namespace == labNS:
		return who + " of this namespace"
	case e.namespace == otherNamespace:
		return who + " in other namespaces"
	}
	return who + " in namespace " + e.namespace
}

func (e endpoint) key() string {
	return e.ip + "|" + e.namespace + "|" + labels.Set(e.nsLabels).String() + "|" + labels.Set(e.labels).String()
}

// traffic runs a traffic check.
func (c *Check) traffic(ctx context.Context, cl *Cluster) Outcome {
	ns := cl.Namespace
	// The backend's own isolation policy (kcnaprep-isolate, labelled kcnaprep.dev/system) keeps
	// other learners out; it is not the learner's work, so the traffic model leaves it out.
	pols, err := cl.Client.Typed.NetworkingV1().NetworkPolicies(ns).List(ctx, metav1.ListOptions{LabelSelector: kube.LabelSystem + "!=true"})
	if err != nil {
		return Outcome{Detail: fmt.Sprintf("list NetworkPolicies: %v", err)}
	}
	podList, err := cl.Client.Typed.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return Outcome{Detail: fmt.Sprintf("list Pods: %v", err)}
	}
	nsObj, err := cl.Client.Typed.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		return Outcome{Detail: fmt.Sprintf("read namespace: %v", err)}
	}
	nsLabels := maps.Clone(nsObj.Labels)
	if nsLabels == nil {
		nsLabels = map[string]string{}
	}
	nsLabels[nameLabel] = ns
	var pods []endpoint
	for _, p := range podList.Items {
		if p.Labels[kube.LabelProbe] == "true" || p.DeletionTimestamp != nil {
			continue
		}
		var ports []corev1.ContainerPort
		for _, ct := range p.Spec.Containers {
			ports = append(ports, ct.Ports...)
		}
		pods = append(pods, endpoint{labels: p.Labels, namespace: ns, nsLabels: nsLabels, ports: ports})
	}
	return evalTraffic(pols.Items, pods, ns, nsLabels, c.trafficTo, c.trafficFrom, c.trafficPorts)
}

// evalTraffic grades policies for destinations labelled like each of to: only Pods of the lab's
// namespace labelled from (nil: nobody) may reach them, and only on ports.
func evalTraffic(pols []netv1.NetworkPolicy, pods []endpoint, ns string, nsLabels map[string]string,
	to []map[string]string, from map[string]string, ports []netPort) Outcome {
	var problems []string
	seen := map[string]bool{}
	report := func(s string) {
		if !seen[s] {
			seen[s] = true
			problems = append(problems, s)
		}
	}
	for _, want := range to {
		what := "A new Pod labelled " + labels.Set(want).String()
		if len(want) == 0 {
			what = "A new Pod"
		}
		dsts := []endpoint{{labels: want, namespace: ns, nsLabels: nsLabels}}
		for _, p := range pods {
			if labels.SelectorFromSet(want).Matches(labels.Set(p.labels)) {
				dsts = append(dsts, p)
				if dsts[0].ports == nil {
					dsts[0].ports = p.ports
				}
				what = "Pods labelled " + labels.Set(want).String()
			}
		}
		// Allowed: every real source Pod (or a new one) reaches every destination on every port.
		if from != nil {
			srcs := []endpoint{{labels: from, namespace: ns, nsLabels: nsLabels}}
			for _, p := range pods {
				if labels.SelectorFromSet(from).Matches(labels.Set(p.labels)) {
					srcs = append(srcs, p)
				}
			}
			for _, d := range dsts {
				for _, s := range srcs {
					for _, pt := range ports {
						if !ingressAllowed(pols, d, s, pt) {
							report(fmt.Sprintf("%s do not accept %s on %s", what, srcs[0].describe(ns), pt))
						} else if !egressAllowed(pols, s, d, pt) {
							report(fmt.Sprintf("%s may not send to %s on %s (an egress policy blocks it)", srcs[0].describe(ns), strings.ToLower(what[:1])+what[1:], pt))
						}
					}
				}
			}
		}
		// Nothing else: no other source, no other port.
		for _, d := range dsts {
			if !isolatedIngress(pols, d) {
				report(what + " accept traffic from anywhere: no NetworkPolicy selects them for Ingress")
				continue
			}
			for _, s := range witnesses(pols, pods, ns, nsLabels) {
				for _, pt := range candidatePorts(pols, ports, d) {
					expected := from != nil && s.ip == "" && s.namespace == ns &&
						labels.SelectorFromSet(from).Matches(labels.Set(s.labels)) && slices.Contains(ports, pt)
					if expected || !ingressAllowed(pols, d, s, pt) || (s.namespace == ns && !egressAllowed(pols, s, d, pt)) {
						continue
					}
					report(fmt.Sprintf("%s accept %s on %s", what, s.describe(ns), pt))
				}
			}
		}
	}
	if len(problems) == 0 {
		return Outcome{Passed: true}
	}
	if len(problems) > 3 {
		problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
	}
	return Outcome{Detail: strings.Join(problems, "; ")}
}

// policyTypes is a policy's types, with the API server's defaults when left out.
func policyTypes(p *netv1.NetworkPolicy) []netv1.PolicyType {
	if len(p.Spec.PolicyTypes) > 0 {
		return p.Spec.PolicyTypes
	}
	t := []netv1.PolicyType{netv1.PolicyTypeIngress}
	if len(p.Spec.Egress) > 0 {
		t = append(t, netv1.PolicyTypeEgress)
	}
	return t
}

func selects(sel *metav1.LabelSelector, set map[string]string) bool {
	if sel == nil {
		return true
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false // an invalid selector selects nothing (the API server refuses them anyway)
	}
	return s.Matches(labels.Set(set))
}

// peerMatches: whether a policy's peer (in a policy of namespace polNS) matches an endpoint.
func peerMatches(peer netv1.NetworkPolicyPeer, polNS string, e endpoint) bool {
	if peer.IPBlock != nil {
		return e.ip != "" && inBlock(peer.IPBlock, e.ip)
	}
	if e.ip != "" {
		return false
	}
	if peer.NamespaceSelector == nil {
		return e.namespace == polNS && selects(peer.PodSelector, e.labels)
	}
	return selects(peer.NamespaceSelector, e.nsLabels) && selects(peer.PodSelector, e.labels)
}

func inBlock(b *netv1.IPBlock, ip string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	pfx, err := netip.ParsePrefix(b.CIDR)
	if err != nil || !pfx.Contains(addr) {
		return false
	}
	for _, ex := range b.Except {
		if e, err := netip.ParsePrefix(ex); err == nil && e.Contains(addr) {
			return false
		}
	}
	return true
}

// portMatches: whether a rule's ports admit pt on destination d (an empty list admits all).
func portMatches(rulePorts []netv1.NetworkPolicyPort, d endpoint, pt netPort) bool {
	if len(rulePorts) == 0 {
		return true
	}
	for _, rp := range rulePorts {
		proto := corev1.ProtocolTCP
		if rp.Protocol != nil {
			proto = *rp.Protocol
		}
		if proto != pt.proto {
			continue
		}
		if rp.Port == nil {
			return true
		}
		if rp.Port.Type == intstr.String {
			for _, cp := range d.ports {
				cpProto := cp.Protocol
				if cpProto == "" {
					cpProto = corev1.ProtocolTCP
				}
				if cp.Name == rp.Port.StrVal && cpProto == proto && cp.ContainerPort == pt.num {
					return true
				}
			}
			continue
		}
		end := rp.Port.IntVal
		if rp.EndPort != nil {
			end = *rp.EndPort
		}
		if pt.num >= rp.Port.IntVal && pt.num <= end {
			return true
		}
	}
	return false
}

// applies: whether policy p governs traffic of type typ for the Pod e.
func applies(p *netv1.NetworkPolicy, e endpoint, typ netv1.PolicyType) bool {
	return (p.Namespace == "" || p.Namespace == e.namespace) &&
		slices.Contains(policyTypes(p), typ) && selects(&p.Spec.PodSelector, e.labels)
}

// ingressAllowed: whether the policies of d's namespace let src reach d on pt.
func ingressAllowed(pols []netv1.NetworkPolicy, d, src endpoint, pt netPort) bool {
	isolated := false
	for i := range pols {
		p := &pols[i]
		if !applies(p, d, netv1.PolicyTypeIngress) {
			continue
		}
		isolated = true
		for _, r := range p.Spec.Ingress {
			if !portMatches(r.Ports, d, pt) {
				continue
			}
			if len(r.From) == 0 {
				return true
			}
			for _, peer := range r.From {
				if peerMatches(peer, d.namespace, src) {
					return true
				}
			}
		}
	}
	return !isolated
}

// isolatedIngress: whether some policy selects d for Ingress.
func isolatedIngress(pols []netv1.NetworkPolicy, d endpoint) bool {
	for i := range pols {
		if applies(&pols[i], d, netv1.PolicyTypeIngress) {
			return true
		}
	}
	return false
}

// egressAllowed: whether the policies of src's namespace let src send to d on pt.
func egressAllowed(pols []netv1.NetworkPolicy, src, d endpoint, pt netPort) bool {
	isolated := false
	for i := range pols {
		p := &pols[i]
		if !applies(p, src, netv1.PolicyTypeEgress) {
			continue
		}
		isolated = true
		for _, r := range p.Spec.Egress {
			if !portMatches(r.Ports, d, pt) {
				continue
			}
			if len(r.To) == 0 {
				return true
			}
			for _, peer := range r.To {
				if peerMatches(peer, src.namespace, d) {
					return true
				}
			}
		}
	}
	return !isolated
}
