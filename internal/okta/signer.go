package okta

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v3"
)

// newKeySigner builds the RS256 signer for private_key_jwt client
// assertions. The SDK's own signer reads only PKCS#1 keys, while Okta's admin
// console hands out PKCS#8 ones, so both are parsed here. Errors never quote
// the key.
func newKeySigner(privateKeyPEM, keyID string) (jose.Signer, error) {
	key, err := parseRSAPrivateKey(privateKeyPEM)
	if err != nil {
		return nil, err
	}
	opts := &jose.SignerOptions{}
	if keyID != "" {
		opts = opts.WithHeader("kid", keyID)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
	if err != nil {
		return nil, fmt.Errorf("okta: preparing the private key for signing: %w", err)
	}
	return signer, nil
}

// parseRSAPrivateKey accepts a PEM-encoded RSA key in PKCS#1 or PKCS#8 form.
func parseRSAPrivateKey(privateKeyPEM string) (*rsa.PrivateKey, error) {
	data := []byte(strings.ReplaceAll(strings.TrimSpace(privateKeyPEM), `\n`, "\n"))
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("okta: the private key is not PEM: expected a block starting with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("okta: the RSA PRIVATE KEY block is not a valid PKCS#1 key; export the service app's key again")
		}
		return key, nil
	case "PRIVATE KEY":
		parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("okta: the PRIVATE KEY block is not a valid PKCS#8 key; export the service app's key again")
		}
		key, ok := parsed.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("okta: the private key is a %T, but Okta service apps sign with RSA (RS256); use an RSA key", parsed)
		}
		return key, nil
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("okta: the private key is encrypted; provide it unencrypted (keep it in a secret store instead)")
	default:
		return nil, fmt.Errorf("okta: the private key PEM block is %q; expected PRIVATE KEY (PKCS#8) or RSA PRIVATE KEY (PKCS#1)", block.Type)
	}
}
