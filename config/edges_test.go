package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/config"
)

// A token read from twilio.auth_token_file and pasted by mistake into
// another key of the file never appears in Load's errors.
func TestLoadRedactsTokenFromFile(t *testing.T) {
	const token = "f00dfeedf00dfeedf00dfeedf00dfeed"
	tokenPath := writeFile(t, "token", token+"\n")
	cfgPath := writeFile(t, "gatehouse.yaml",
		"twilio:\n  auth_token_file: "+tokenPath+"\nserver:\n  read_timeout: "+token+"\n")
	_, err := load(t, config.Options{File: cfgPath})
	if err == nil {
		t.Fatal("Load: got nil, want an error for server.read_timeout")
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("Load's error quotes the token read from the token file: %q", err)
	}
}

// server.max_body_bytes must be between 1 and MaxBodyBytesLimit: 0 is refused.
func TestValidateZeroMaxBodyBytes(t *testing.T) {
	c := config.Default()
	c.Server.MaxBodyBytes = 0
	err := c.Validate()
	var fe *config.FieldError
	if !errors.As(err, &fe) || fe.Key != "server.max_body_bytes" || !errors.Is(err, config.ErrInvalid) {
		t.Errorf("Validate with server.max_body_bytes 0: got %v, want an ErrInvalid for server.max_body_bytes", err)
	}
}
