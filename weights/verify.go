package weights

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
)

// FileSHA256 returns the lowercase hex SHA-256 of a file.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("weights: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("weights: read %s: %v", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Matches reports whether a full SHA-256 agrees with the entry's digest (the
// whole digest, or its prefix). It is false for Structural entries, which
// have no digest to agree with.
func (e Entry) Matches(sum string) bool {
	if e.Verification() == Structural {
		return false
	}
	return strings.HasPrefix(strings.ToLower(sum), strings.ToLower(e.SHA256))
}

// DigestError is a file whose SHA-256 disagrees with the registry.
type DigestError struct {
	Source string // the URL or path the bytes came from
	Got    string // the file's full SHA-256
	Want   string // the registry's digest (full or prefix)
}

func (e *DigestError) Error() string {
	if len(e.Want) < 64 {
		return fmt.Sprintf("weights: %s: SHA-256 is %s, which does not start with %s", e.Source, e.Got, e.Want)
	}
	return fmt.Sprintf("weights: %s: SHA-256 is %s, want %s", e.Source, e.Got, e.Want)
}

// VerifyFile checks the file at path as well as the entry allows: its
// SHA-256 (full or prefix), or for Structural entries that it parses and
// holds the trunk. source names the bytes' origin in errors.
func (e Entry) VerifyFile(path, source string) error {
	if e.Verification() == Structural {
		err := CheckFile(path, e.Arch)
		if err != nil && source != path {
			err = fmt.Errorf("weights: %s: not a usable %s checkpoint: %w", source, e.Name, err)
		}
		return err
	}
	sum, err := FileSHA256(path)
	if err != nil {
		return err
	}
	if !e.Matches(sum) {
		return &DigestError{Source: source, Got: sum, Want: e.SHA256}
	}
	return nil
}
