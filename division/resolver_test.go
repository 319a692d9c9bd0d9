package division

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
)

func mustResolver(t *testing.T, opts ResolverOptions) *Resolver {
	t.Helper()
	r, err := NewResolver(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestResolverDefault(t *testing.T) {
	r := mustResolver(t, ResolverOptions{})
	u, err := r.Resolve("杭州")
	if err != nil || u.Code != "330100" || u.Region != "east" || u.Tier != TierVeryLarge {
		t.Errorf("Resolve(杭州) = %+v, %v", u, err)
	}
	var ee *ExcludedError
	if _, err := r.Resolve("延边"); !errors.As(err, &ee) || ee.City.Code != "222400" || !ee.UserFacing() {
		t.Errorf("Resolve(延边) error = %v; want *ExcludedError", err)
	}
	// With the Qinghai prefecture excluded, 海南 names only the province.
	var ue *UnknownError
	if _, err := r.Resolve("海南"); !errors.As(err, &ue) || ue.Province == nil || ue.Province.Code != "460000" {
		t.Errorf("Resolve(海南) error = %v; want *UnknownError naming the province", err)
	}
	var ae *AmbiguousError
	if _, err := r.Resolve("Suzhou"); !errors.As(err, &ae) {
		t.Errorf("Resolve(Suzhou) error = %v; want *AmbiguousError", err)
	}
	if n := len(r.Units()); n != 297 {
		t.Errorf("len(Units()) = %d; want 297 (4 municipalities + 293 cities)", n)
	}
}

func TestResolverOptions(t *testing.T) {
	r := mustResolver(t, ResolverOptions{IncludeAutonomous: true, Grouping: ThreeBelts})
	u, err := r.Resolve("延边")
	if err != nil || u.Code != "222400" || u.Region != "central" {
		t.Errorf("Resolve(延边) = %+v, %v; want 222400 in central", u, err)
	}
	if u, _ := r.Resolve("Hainan Prefecture"); u.Code != "632500" {
		t.Errorf("Resolve(Hainan Prefecture) = %+v", u)
	}
	if n := len(r.Units()); n != 337 {
		t.Errorf("len(Units()) = %d; want 337", n)
	}
}

func TestResolverUserUnits(t *testing.T) {
	r := mustResolver(t, ResolverOptions{Units: []panel.Unit{
		{Code: "330110", NameZh: "余杭区", NameEn: "Yuhang", Province: "浙江省", Region: "east", Tier: TierCounty},
		{Code: "330200", Tier: TierLarge1},   // override Ningbo's tier
		{Code: "延边朝鲜族自治州", Tier: TierMedium}, // accept an excluded kind by listing it
	}})
	for _, key := range []string{"330110", "余杭区", "yuhang"} {
		if u, err := r.Resolve(key); err != nil || u.Code != "330110" || u.Tier != TierCounty {
			t.Errorf("Resolve(%q) = %+v, %v", key, u, err)
		}
	}
	if u, err := r.Resolve("宁波"); err != nil || u.Tier != TierLarge1 || u.NameEn != "Ningbo" {
		t.Errorf("Resolve(宁波) = %+v, %v; want Ningbo with tier large-1", u, err)
	}
	if u, err := r.Resolve("222400"); err != nil || u.Tier != TierMedium {
		t.Errorf("Resolve(222400) = %+v, %v", u, err)
	}
	units := r.Units()
	if n := len(units); n != 299 || units[n-1].Code != "330110" {
		t.Errorf("Units(): %d units, last %+v; want 299, last 330110", n, units[n-1])
	}
	var ue *UnknownError
	if _, err := r.Resolve("萧山区"); !errors.As(err, &ue) {
		t.Errorf("Resolve(萧山区) error = %v; want *UnknownError", err)
	}
}

func TestResolverAllowUnknown(t *testing.T) {
	r := mustResolver(t, ResolverOptions{AllowUnknown: true})
	if u, err := r.Resolve(" 萧山区 "); err != nil || u != (panel.Unit{Code: "萧山区"}) {
		t.Errorf("Resolve(萧山区) = %+v, %v", u, err)
	}
	for _, key := range []string{"Suzhou", "浙江", "延边", ""} {
		if _, err := r.Resolve(key); err == nil {
			t.Errorf("Resolve(%q) succeeded with AllowUnknown", key)
		}
	}
}

func TestNewResolverRejects(t *testing.T) {
	_, err := NewResolver(ResolverOptions{Units: []panel.Unit{
		{Code: ""},                 // empty code
		{Code: "X1", NameZh: "杭州"}, // registry name
		{Code: "X2"}, {Code: "X2"}, // duplicate code
		{Code: "X3", NameEn: "Zhejiang"}, // province name
		{Code: "X4", NameEn: "Foo"},      //
		{Code: "X5", NameEn: "foo"},      // same name as X4
		{Code: "330100"}, {Code: "杭州市"},  // the same registry city twice
	}})
	var oe *OptionsError
	if !errors.As(err, &oe) || !oe.UserFacing() {
		t.Fatalf("NewResolver error = %v; want *OptionsError", err)
	}
	if len(oe.Problems) != 6 {
		t.Errorf("%d problems; want 6: %q", len(oe.Problems), oe.Problems)
	}
}

// Run with -race: concurrent Resolve calls share the cache.
func TestResolverConcurrent(t *testing.T) {
	r := mustResolver(t, ResolverOptions{})
	cities := Cities()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, c := range cities {
				if !c.Kind.IsCity() {
					continue
				}
				key := c.Code
				if (i+g)%2 == 0 {
					key = c.NameZh
				}
				if u, err := r.Resolve(key); err != nil || u.Code != c.Code {
					t.Errorf("Resolve(%q) = %v, %v", key, u, err)
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkResolve(b *testing.B) {
	r, _ := NewResolver(ResolverOptions{})
	keys := make([]string, 0, 300)
	for _, c := range Cities() {
		keys = append(keys, c.NameZh)
	}
	b.Run(fmt.Sprintf("cached/keys=%d", len(keys)), func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			r.Resolve(keys[i%len(keys)])
			i++
		}
	})
}
