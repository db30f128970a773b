package check

import (
	"maps"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// witnessLabels returns a label set that the selector matches (for the operators the API
// allows), or false when it matches nothing.
func witnessLabels(sel *metav1.LabelSelector) (map[string]string, bool) {
	out := map[string]string{}
	if sel == nil {
		return out, true
	}
	maps.Copy(out, sel.MatchLabels)
	for _, e := range sel.MatchExpressions {
		switch e.Operator {
		case metav1.LabelSelectorOpIn:
			if len(e.Values) == 0 {
				return nil, false
			}
			if _, set := out[e.Key]; !set {
				out[e.Key] = e.Values[0]
			}
		case metav1.LabelSelectorOpExists:
			if _, set := out[e.Key]; !set {
				out[e.Key] = "any"
			}
		}
	}
	return out, selects(sel, out)
}

// witnesses are the sources tried against the policies.
func witnesses(pols []netv1.NetworkPolicy, pods []endpoint, ns string, nsLabels map[string]string) []endpoint {
	other := map[string]string{nameLabel: otherNamespace}
	out := []endpoint{
		{ip: outsideIP},
		{namespace: ns, nsLabels: nsLabels, labels: map[string]string{}},
		{namespace: otherNamespace, nsLabels: other, labels: map[string]string{}},
	}
	for _, p := range pods {
		out = append(out, p, endpoint{labels: p.labels, namespace: otherNamespace, nsLabels: other})
	}
	for i := range pols {
		p := &pols[i]
		for _, r := range p.Spec.Ingress {
			for _, peer := range r.From {
				if peer.IPBlock != nil {
					if ip, ok := blockWitness(peer.IPBlock); ok {
						out = append(out, endpoint{ip: ip})
					}
					continue
				}
				podLabels, ok := witnessLabels(peer.PodSelector)
				if !ok {
					continue
				}
				if peer.NamespaceSelector == nil {
					out = append(out, endpoint{labels: podLabels, namespace: ns, nsLabels: nsLabels})
					continue
				}
				nsl, ok := witnessLabels(peer.NamespaceSelector)
				if !ok {
					continue
				}
				name := nsl[nameLabel]
				if name == "" {
					name = otherNamespace
				}
				if name == ns {
					merged := maps.Clone(nsLabels)
					maps.Copy(merged, nsl)
					nsl = merged
				}
				nsl[nameLabel] = name
				if !selects(peer.NamespaceSelector, nsl) {
					continue
				}
				out = append(out, endpoint{labels: podLabels, namespace: name, nsLabels: nsl})
			}
		}
	}
	seen := map[string]bool{}
	return slices.DeleteFunc(out, func(e endpoint) bool {
		k := e.key()
		if seen[k] {
			return true
		}
		seen[k] = true
		return false
	})
}

// blockWitness is an address of the block outside its exceptions.
func blockWitness(b *netv1.IPBlock) (string, bool) {
	pfx, err := netip.ParsePrefix(b.CIDR)
	if err != nil {
		return "", false
	}
	addr := pfx.Masked().Addr()
	for range 512 {
		if !pfx.Contains(addr) {
			break
		}
		if inBlock(b, addr.String()) {
			return addr.String(), true
		}
		addr = addr.Next()
	}
	// Try the top of the block too (exceptions usually cut its start).
	bits := addr.BitLen() - pfx.Bits()
	if bits > 0 && bits < 64 {
		top := pfx.Masked().Addr()
		b16 := top.As16()
		for i := 0; i < bits; i++ {
			b16[15-i/8] |= 1 << (i % 8)
		}
		t := netip.AddrFrom16(b16)
		if top.Is4() {
			t = t.Unmap()
		}
		if inBlock(b, t.String()) {
			return t.String(), true
		}
	}
	return "", false
}

// candidatePorts are the expected ports, every port the policies name (resolved on d), and
// ports none of them names, in TCP, UDP and SCTP.
func candidatePorts(pols []netv1.NetworkPolicy, expected []netPort, d endpoint) []netPort {
	out := slices.Clone(expected)
	add := func(p netPort) {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, proto := range []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP} {
		add(netPort{num: 1, proto: proto})
		add(netPort{num: 65535, proto: proto})
		for _, e := range expected {
			add(netPort{num: e.num, proto: proto})
		}
		for _, cp := range d.ports {
			add(netPort{num: cp.ContainerPort, proto: proto})
		}
	}
	for i := range pols {
		rules := pols[i].Spec.Ingress
		for _, r := range rules {
			for _, rp := range r.Ports {
				proto := corev1.ProtocolTCP
				if rp.Protocol != nil {
					proto = *rp.Protocol
				}
				if rp.Port == nil || rp.Port.Type == intstr.String {
					continue // all ports or a named one: covered by the ports above
				}
				add(netPort{num: rp.Port.IntVal, proto: proto})
				if rp.EndPort != nil {
					add(netPort{num: *rp.EndPort, proto: proto})
				}
			}
		}
	}
	return out
}
