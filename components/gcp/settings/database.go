package settings

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Cloud SQL editions. A tier belongs to one: db-custom-* tiers are Enterprise, the
// db-perf-optimized-N-* tiers Enterprise Plus; Cloud SQL refuses any other pairing.
const (
	EditionEnterprise     = "ENTERPRISE"
	EditionEnterprisePlus = "ENTERPRISE_PLUS"
)

var (
	customTier        = regexp.MustCompile(`^db-custom-([0-9]+)-([0-9]+)$`)
	perfOptimizedTier = regexp.MustCompile(`^db-perf-optimized-N-([0-9]+)$`)
	// perfOptimizedCPUs are the vCPU counts of the N2 machine series of Enterprise Plus.
	perfOptimizedCPUs = []int{2, 4, 8, 16, 32, 48, 64, 80, 96, 128}
)

// DatabaseTier checks a Cloud SQL for PostgreSQL machine type (databaseInstanceType):
// db-custom-VCPUS-MEMORY_MB (Enterprise; 1 or an even 2-96 vCPUs, memory a multiple of
// 256 MB, at least 3840 MB and 0.9-6.5 GB per vCPU) or db-perf-optimized-N-VCPUS
// (Enterprise Plus). The shared-core db-f1-micro and db-g1-small are refused: they have
// no SLA and a fraction of a vCPU. PostgreSQL takes no predefined db-n1-* tier, and the
// N4 and C4A series need Hyperdisk storage, which pachdeploy does not set up.
func DatabaseTier(v string) error {
	switch {
	case v == "db-f1-micro" || v == "db-g1-small":
		return fmt.Errorf("is a shared-core tier: no SLA and a fraction of a vCPU, too little for pachd; use a dedicated one such as %s", DefaultDatabaseInstanceType)
	case perfOptimizedTier.MatchString(v):
		cpus, _ := strconv.Atoi(perfOptimizedTier.FindStringSubmatch(v)[1])
		if !slices.Contains(perfOptimizedCPUs, cpus) {
			return fmt.Errorf("db-perf-optimized-N tiers have %s vCPUs", joinInts(perfOptimizedCPUs))
		}
		return nil
	case customTier.MatchString(v):
		m := customTier.FindStringSubmatch(v)
		cpus, _ := strconv.Atoi(m[1])
		mb, _ := strconv.Atoi(m[2])
		if cpus != 1 && (cpus%2 != 0 || cpus < 2 || cpus > 96) {
			return fmt.Errorf("a custom tier has 1 vCPU or an even number from 2 to 96")
		}
		// 0.9 GB and 6.5 GB per vCPU, in MB (Cloud SQL counts 1 GB as 1024 MB).
		if mb%256 != 0 || mb < 3840 || mb*10 < cpus*9*1024 || mb*10 > cpus*65*1024 {
			return fmt.Errorf("a custom tier's memory is a multiple of 256 MB, at least 3840 MB and 0.9 to 6.5 GB per vCPU "+
				"(%d vCPUs: %d to %d MB)", cpus, max(3840, roundUp256(cpus*9*1024/10)), cpus*65*1024/10/256*256)
		}
		return nil
	}
	return fmt.Errorf("must be a Cloud SQL for PostgreSQL tier: db-custom-VCPUS-MEMORY_MB such as %s, or db-perf-optimized-N-VCPUS (Enterprise Plus)",
		DefaultDatabaseInstanceType)
}

// DatabaseEdition is the Cloud SQL edition of a tier DatabaseTier accepts.
func DatabaseEdition(tier string) string {
	if strings.HasPrefix(tier, "db-perf-optimized-") {
		return EditionEnterprisePlus
	}
	return EditionEnterprise
}

func roundUp256(mb int) int { return (mb + 255) / 256 * 256 }

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
