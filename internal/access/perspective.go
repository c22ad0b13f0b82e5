package access

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// namedPerspectives are the perspectives every dataset has.
var namedPerspectives = []string{"published", "drafts", "raw"}

// releasesQuery lists the releases of the dataset: system documents _.releases.<name>.
const releasesQuery = `*[_type == "system.release"]._id`

// CheckPerspective accepts published, drafts and raw, and a release stack: names of releases that exist
// in the dataset, separated by commas (drafts may be one of the layers). Anything else, such as
// "Published", "previewDrafts" or a mistyped release name, is refused with the list of what is accepted:
// the Content Lake would read it as the name of a release that does not exist and quietly answer with
// the published documents.
func (s *Service) CheckPerspective(ctx context.Context, perspective string) error {
	for _, p := range namedPerspectives {
		if perspective == p {
			return nil
		}
	}
	raw, err := s.content.Query(ctx, Query{GROQ: releasesQuery, Perspective: "raw"})
	if err != nil {
		return fmt.Errorf("listing the dataset's releases to check perspective %q: %w", perspective, err)
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return fmt.Errorf("listing the dataset's releases to check perspective %q: the answer is not a list of IDs: %w", perspective, err)
	}
	releases := map[string]bool{}
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		name, ok := strings.CutPrefix(id, "_.releases.")
		if !ok {
			continue
		}
		releases[name] = true
		names = append(names, name)
	}
	sort.Strings(names)
	var unknown []string
	for _, part := range strings.Split(perspective, ",") {
		part = strings.TrimSpace(part)
		if !releases[part] && part != "drafts" {
			unknown = append(unknown, fmt.Sprintf("%q", part))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	accepted := "published, drafts or raw"
	if len(names) > 0 {
		accepted += ", the name of a release in the dataset (" + strings.Join(names, ", ") + "), or several of " +
			"them separated by commas, highest priority first"
	} else {
		accepted += " (the dataset has no releases)"
	}
	hint := ""
	switch strings.ToLower(perspective) {
	case "previewdrafts":
		hint = " previewDrafts is the old name of drafts."
	case "published", "drafts", "raw":
		hint = " Perspective names are lowercase."
	}
	return fmt.Errorf("perspective %q is not one the Content Lake knows: %s is neither a named perspective nor a release "+
		"in this dataset. Use %s.%s", perspective, strings.Join(unknown, ", "), accepted, hint)
}
