package main

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestTemplate checks the SAM template against what a default account
// accepts and what the bootstrap reads: no concurrency reserved unless asked
// (Lambda refuses a reservation that leaves fewer than 100 unreserved), and
// every environment variable it sets is read by this command.
func TestTemplate(t *testing.T) {
	b, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Parameters map[string]struct {
			Type    string `yaml:"Type"`
			Default any    `yaml:"Default"`
		} `yaml:"Parameters"`
		Conditions map[string]yaml.Node `yaml:"Conditions"`
		Resources  map[string]struct {
			Properties struct {
				ReservedConcurrentExecutions yaml.Node `yaml:"ReservedConcurrentExecutions"`
				Environment                  struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	if p, ok := tpl.Parameters["ReservedConcurrency"]; !ok || p.Default != "" {
		t.Errorf("ReservedConcurrency default %v; want empty (no reservation)", p.Default)
	}
	if _, ok := tpl.Conditions["HasReservedConcurrency"]; !ok {
		t.Error("no HasReservedConcurrency condition")
	}
	fn, ok := tpl.Resources["ZaggCellFunction"]
	if !ok {
		t.Fatal("no ZaggCellFunction")
	}
	rc := fn.Properties.ReservedConcurrentExecutions
	if rc.Tag != "!If" || len(rc.Content) != 3 || rc.Content[0].Value != "HasReservedConcurrency" || rc.Content[2].Value != "AWS::NoValue" {
		t.Errorf("ReservedConcurrentExecutions must be set only with the condition (else AWS::NoValue); got tag %q", rc.Tag)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(fn.Properties.Environment.Variables) == 0 {
		t.Error("no environment variables in the template")
	}
	for name := range fn.Properties.Environment.Variables {
		if !strings.Contains(string(src), `os.Getenv("`+name+`")`) {
			t.Errorf("the template sets %s, which main.go never reads", name)
		}
	}
}
