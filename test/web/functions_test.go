package web

import (
	"broadsheet/internal/local/localapi"
)

// localFunctions returns the handler factories keyed by CodeUri: exactly the
// functions that `make local` runs.
func localFunctions() map[string]localapi.Factory { return localapi.Functions }
