// Command external-secrets is a wrapper around the External Secrets Operator
// controller (github.com/external-secrets/external-secrets, cmd/controller).
// ESO's go.mod carries a replace directive, which `go install module@version`
// refuses, so the test environment builds it through this wrapper module.
package main

import "github.com/external-secrets/external-secrets/cmd/controller"

func main() { controller.Execute() }
