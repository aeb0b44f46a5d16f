package webtest

import (
	"broadsheet/internal/functions"
	"broadsheet/internal/localapi"
)

// localFunctions returns the handler factories keyed by CodeUri: exactly the
// functions that `make local` runs.
func localFunctions() map[string]localapi.Factory { return functions.ByCodeUri }
