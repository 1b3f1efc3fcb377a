package automation

// losesData reports whether op on a data-bearing resource destroys it.
func losesData(op string) bool {
	switch op {
	case "replace", "delete", "delete-replaced", "create-replacement":
		return true
	}
	return false
}
