package sanity

import (
	"fmt"
	"regexp"
	"time"
)

// MinAPIVersion is the first dated API version whose queries return release versions (versions.*); with
// an older one the provider could not write a group ID into them, and it would be lost on publish.
const MinAPIVersion = "2025-02-19"

var (
	projectIDPattern = regexp.MustCompile(`^[-a-z0-9]+$`)
	datasetPattern   = regexp.MustCompile(`^~?[a-z0-9][-\w]{0,63}$`)
)

// CheckProjectID reports whether id is a Sanity project ID.
func CheckProjectID(id string) error {
	if !projectIDPattern.MatchString(id) {
		return fmt.Errorf("%q is not a Sanity project ID (lowercase letters, digits and '-')", id)
	}
	return nil
}

// CheckDataset reports whether name is a Sanity dataset name.
func CheckDataset(name string) error {
	if !datasetPattern.MatchString(name) {
		return fmt.Errorf("%q is not a Sanity dataset name (lowercase letters, digits, '-' and '_', at most 64 characters)", name)
	}
	return nil
}

// CheckAPIVersion accepts a dated API version from MinAPIVersion up to the day after now: a date that has
// not come yet pins nothing.
func CheckAPIVersion(v string, now time.Time) error {
	if !datedVersion.MatchString(v) {
		return fmt.Errorf("%q is not a dated API version: write it as YYYY-MM-DD, for example %q", v, DefaultAPIVersion)
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return fmt.Errorf("%q is not a real date: write it as YYYY-MM-DD, for example %q", v, DefaultAPIVersion)
	}
	if v < MinAPIVersion {
		return fmt.Errorf("API version %q is older than %s: older versions hide release versions (versions.*) from "+
			"queries, so the group ID would be lost when a release is published; use %s or later", v, MinAPIVersion, MinAPIVersion)
	}
	// A day of slack: the date may already be today in a time zone ahead of UTC.
	if latest := now.UTC().AddDate(0, 0, 1).Format(time.DateOnly); v > latest {
		return fmt.Errorf("API version %q is in the future: a dated API version pins the Content Lake's behaviour as of "+
			"that day, so a day that has not come yet pins nothing (the API refuses it, or the behaviour changes "+
			"under you until that day); use a past date, such as the default %s", v, DefaultAPIVersion)
	}
	return nil
}
