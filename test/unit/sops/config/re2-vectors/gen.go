// Generates vectors.json from corpus.json with the real Go regexp package: go run gen.go < corpus.json > vectors.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
)

type Case struct {
	Pattern string          `json:"pattern"`
	Valid   bool            `json:"valid"`
	Error   string          `json:"error,omitempty"`
	Matches map[string]bool `json:"matches,omitempty"`
}

func main() {
	var in struct {
		Patterns []string `json:"patterns"`
		Inputs   []string `json:"inputs"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	out := []Case{}
	for _, p := range in.Patterns {
		re, err := regexp.Compile(p)
		c := Case{Pattern: p, Valid: err == nil}
		if err != nil {
			c.Error = err.Error()
		} else {
			c.Matches = map[string]bool{}
			for _, s := range in.Inputs {
				c.Matches[s] = re.MatchString(s)
			}
		}
		out = append(out, c)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Println(err)
	}
}
