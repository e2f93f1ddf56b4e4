//go:build tools

// Package tools pins kube-linter for tests/peers/run.sh. kube-linter's module path is
// golang.stackrox.io/kube-linter; the module proxy serves it under its GitHub path, hence the
// replace directive in go.mod.
package tools

import _ "golang.stackrox.io/kube-linter/cmd/kube-linter"
