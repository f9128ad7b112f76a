package fakepagerduty

// The operations the stand-in may serve, with their schemas, out of
// PagerDuty's REST description: reference/REST/openapiv3.json of the
// repository PagerDuty/api-schema, at commit 91a06fb. The file is not in
// this repository; set PAGERDUTY_OPENAPI to its path and run go generate
// after changing openapi-operations.txt (see docs/testing.md). The command
// refuses a file whose sha256 is not this one.
//go:generate go run ../openapisubset/cmd/openapisubset -file $PAGERDUTY_OPENAPI -sha256 b2e80f8b83b170f29702e96a69adf230702b4ec43dddab7e348a2985c707ef35 -name PagerDuty/api-schema@91a06fb:reference/REST/openapiv3.json -list openapi-operations.txt -out testdata/openapi-subset.json
