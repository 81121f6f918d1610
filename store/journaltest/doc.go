// Package journaltest holds the integration tests and benchmarks of the consultation
// journal (store/journal*.go) on a real PostgreSQL database of their own. They live
// apart from package store's tests because they tamper with the journal as a
// superuser and re-execute the test binary as a second portal process.
package journaltest
