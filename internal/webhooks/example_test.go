package webhooks_test

import (
	"fmt"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/internal/webhooks"
)

func ExampleGatherCallback() {
	params := webhooks.GatherCallback()
	fmt.Println(len(params), "parameters")
	for _, p := range params {
		if p.Name == "Digits" {
			fmt.Println("Digits:", p.Value)
		}
	}
	fmt.Println(len(authn.EncodeForm(params)), "bytes of form body")
	// Output:
	// 27 parameters
	// Digits: 1
	// 515 bytes of form body
}
