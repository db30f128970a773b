// Package labapp names the labs' own workload image. It holds only constants, so that the
// labapp program (cmd/labapp, standard library only), the image builder and the lab loader agree
// on one version.
package labapp

// Version is labapp's version, also the tag of its image. Bump it when labapp's behaviour
// changes, and update the labs that name the image: the lab loader rejects any other tag.
const Version = "1.0"

// Repository is the image's name without a tag. The ".local" domain never resolves, so a node
// that lacks the image fails fast instead of pulling something else.
const Repository = "kcnaprep.local/labapp"

// Image is the image reference labs use, with imagePullPolicy IfNotPresent.
const Image = Repository + ":" + Version
