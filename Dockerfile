# The container image of prodaccess, built by goreleaser (.goreleaser.yaml,
# dockers_v2) from the same static binary as the release archives; it is not
# meant for docker build by hand.
#
# distroless/static: CA certificates (the GitHub API and https remotes),
# time zone data, /etc/passwd with the nonroot user, and nothing else: no
# shell, no package manager. No git either: prodaccess reads the people
# repository and talks to https remotes with go-git's own code, and needs
# the git program only for targets whose remote is a local path or a
# file:// URL; gpg, which secrets reencrypt decrypts with, is not there
# either. Run those with the release archive (docs/install.md).
FROM gcr.io/distroless/static-debian12:nonroot
ARG TARGETPLATFORM
COPY $TARGETPLATFORM/prodaccess /usr/bin/prodaccess
USER nonroot:nonroot
WORKDIR /work
ENTRYPOINT ["/usr/bin/prodaccess"]
