// Package storetest is the store conformance suite: the promises every
// implementation of the domain's store contracts keeps, written once and run
// against the in-memory store (always) and DynamoDB Local (in make test).
package storetest
