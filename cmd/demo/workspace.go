package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// writeCLIConfig writes a Terraform CLI configuration that takes the sanityokta provider from
// providerDir (a development override: no `terraform init`, no registry) and every other provider from
// its registry as usual.
func writeCLIConfig(path, providerDir string) error {
	config := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "sanityokta/sanityokta" = %q
  }
  direct {}
}
`, filepath.ToSlash(providerDir))
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		return fmt.Errorf("writing the Terraform CLI configuration: %w", err)
	}
	return nil
}

// copyExample copies the example configuration into dir, leaving out anything a previous run left
// there (.terraform, state files, the lock file), so each demo starts clean.
func copyExample(src, dir string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("copying the example %s: %w", src, err)
		}
		rel, _ := filepath.Rel(src, path)
		name := d.Name()
		if d.IsDir() {
			if name == ".terraform" && rel != "." {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		if !d.Type().IsRegular() || strings.HasPrefix(name, "terraform.tfstate") || name == ".terraform.lock.hcl" {
			return nil
		}
		return copyFile(path, filepath.Join(dir, rel))
	})
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("copying the example: %w", err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return fmt.Errorf("copying the example: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", from, err)
	}
	return out.Close()
}
