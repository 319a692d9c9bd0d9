// Command cityimpact evaluates how public policy programmes change cities.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/cityimpact/cityimpact/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
