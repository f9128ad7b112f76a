package fakegithub

// The operations the stand-in may serve, with their schemas, out of
// GitHub's REST description. Run by hand (it needs npm and the network),
// after changing openapi-operations.txt or the version; see
// docs/testing.md.
//go:generate go run ../openapisubset/cmd/openapisubset -version 23.0.2 -list openapi-operations.txt -out testdata/openapi-subset.json
