// Command sigil-local-kms runs the local-kms emulator's request handler on a
// loopback address. Upstream's main listens on all interfaces with no bind
// option; this launcher reuses its exported packages (database, key types,
// request handler) and binds 127.0.0.1 only.
//
// Environment: KMS_ADDR (default 127.0.0.1:0), KMS_ACCOUNT_ID, KMS_REGION,
// KMS_DATA_PATH, KMS_SEED_PATH (local-kms seed format: Keys.Symmetric.Aes and
// Aliases). The bound address is printed as "listening on <addr>".
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	kms "github.com/nsmithuk/local-kms/src"
	"github.com/nsmithuk/local-kms/src/cmk"
	"github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"
	"gopkg.in/yaml.v2"
)

type seedFile struct {
	Keys struct {
		Symmetric struct {
			Aes []cmk.AesKey `yaml:"Aes"`
		} `yaml:"Symmetric"`
	} `yaml:"Keys"`
	Aliases []data.Alias `yaml:"Aliases"`
}

func getenv(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func seed(db *data.Database, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var s seedFile
	if err := yaml.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	for i := range s.Keys.Symmetric.Aes {
		if err := db.SaveKey(&s.Keys.Symmetric.Aes[i]); err != nil {
			return err
		}
	}
	for i := range s.Aliases {
		a := s.Aliases[i]
		a.AliasArn = config.ArnPrefix() + a.AliasName
		if err := db.SaveAlias(&a); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	config.AWSAccountId = getenv("KMS_ACCOUNT_ID", "111122223333")
	config.AWSRegion = getenv("KMS_REGION", "eu-west-2")
	config.DatabasePath = getenv("KMS_DATA_PATH", os.TempDir()+"/sigil-local-kms")
	db := data.NewDatabase(config.DatabasePath)
	defer db.Close()
	if path := os.Getenv("KMS_SEED_PATH"); path != "" {
		if err := seed(db, path); err != nil {
			log.Fatalf("seeding failed: %v", err)
		}
	}
	ln, err := net.Listen("tcp", getenv("KMS_ADDR", "127.0.0.1:0"))
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	fmt.Printf("listening on %s\n", ln.Addr().String())
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { kms.HandleRequest(w, r, db) })
	log.Fatal(http.Serve(ln, handler))
}
