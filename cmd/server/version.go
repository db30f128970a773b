package main

import "runtime/debug"

// buildVersion is set at link time (-X main.buildVersion=v1.2.3), e.g. by the Dockerfile.
var buildVersion string

// version is the version set at build time, the module version, or the VCS revision.
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}
