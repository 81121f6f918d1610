// Package policies holds sesam's Casbin model and default policy, embedded in the binary.
package policies

import _ "embed"

// Model is the Casbin model (RBAC with tenant domains).
//
//go:embed model.conf
var Model string

// Default is the default policy: each role's permissions.
//
//go:embed policy.csv
var Default string
