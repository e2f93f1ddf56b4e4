// kstatus prints the status sigs.k8s.io/cli-utils computes for objects in JSON files: the same
// library Flux's health checks use. Used by tests/e2e/gitops/health.sh on ShopApps captured from
// the cluster.
//
//	kstatus FILE.json...   ->   FILE<TAB>STATUS<TAB>MESSAGE per file
package main

import (
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

func main() {
	for _, path := range os.Args[1:] {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		// Decoded as the API machinery decodes objects (integers stay int64).
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(data); err != nil {
			fmt.Fprintln(os.Stderr, path+":", err)
			os.Exit(2)
		}
		res, err := status.Compute(u)
		if err != nil {
			fmt.Fprintln(os.Stderr, path+":", err)
			os.Exit(2)
		}
		fmt.Printf("%s\t%s\t%s\n", path, res.Status, res.Message)
	}
}
