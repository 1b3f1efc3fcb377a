package rules

import (
	"fmt"
	"regexp"
	"strings"
)

// rdsIdentifier is an RDS DB instance identifier as RDS keeps it: a lowercase letter,
// then lowercase letters, digits and single hyphens, not ending in a hyphen.
var rdsIdentifier = regexp.MustCompile(`^[a-z]([a-z0-9]|-[a-z0-9])*$`)

// RDSInstanceClass checks an RDS DB instance class such as db.t4g.medium: "db." and
// an EC2-shaped FAMILY.SIZE. example names a valid one for the message, which says
// when v is an EC2 instance type missing the prefix, or another cloud's machine type.
func RDSInstanceClass(v, example string) error {
	rest, ok := strings.CutPrefix(v, "db.")
	if ok && awsInstanceType.MatchString(rest) {
		return nil
	}
	hint := otherCloudsMachineType(v, "AWS")
	if !ok && awsInstanceType.MatchString(v) {
		hint = fmt.Sprintf(" (%q is an EC2 instance type: RDS classes start with db.)", v)
	}
	return fmt.Errorf("RDS instance classes are db.FAMILY.SIZE, like %s%s", example, hint)
}

// RDSInstanceIdentifier checks an RDS DB instance identifier: 1-63 lowercase letters,
// digits and hyphens, starting with a letter, without two hyphens in a row or a
// trailing one (RDS user guide, "Naming constraints"). RDS would store uppercase
// letters lowercased, so every later run would show a change; they are refused.
func RDSInstanceIdentifier(v string) error {
	if len(v) < 1 || len(v) > 63 || !rdsIdentifier.MatchString(v) {
		return fmt.Errorf("RDS instance identifiers are 1-63 lowercase letters, digits and single hyphens, " +
			"starting with a letter and not ending with a hyphen")
	}
	return nil
}
