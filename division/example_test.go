package division_test

import (
	"errors"
	"fmt"

	"github.com/cityimpact/cityimpact/division"
)

func ExampleLookup() {
	for _, key := range []string{"330100", "杭州", "Xi'an", "110100", "Suzhou, Anhui"} {
		c, err := division.Lookup(key)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-14s %s %s %s %s region=%s tier=%q\n", key, c.Code, c.NameZh, c.NameEn, c.Kind, c.Region(), c.Tier)
	}
	_, err := division.Lookup("Suzhou")
	var ae *division.AmbiguousError
	if errors.As(err, &ae) {
		fmt.Println(len(ae.Candidates), "candidates:", err)
	}
	_, err = division.Lookup("Hangzou")
	fmt.Println(err)
	// Output:
	// 330100         330100 杭州市 Hangzhou sub-provincial region=east tier="very-large"
	// 杭州             330100 杭州市 Hangzhou sub-provincial region=east tier="very-large"
	// Xi'an          610100 西安市 Xi'an sub-provincial region=west tier="very-large"
	// 110100         110000 北京市 Beijing municipality region=east tier="megacity"
	// Suzhou, Anhui  341300 宿州市 Suzhou prefecture region=central tier=""
	// 2 candidates: ambiguous name "Suzhou": 苏州市 (Suzhou, 江苏省, 320500) or 宿州市 (Suzhou, 安徽省, 341300); use the code or add the province, e.g. "Suzhou, Jiangsu"
	// unknown city "Hangzou"; did you mean 杭州市 (Hangzhou, 浙江省, 330100) or 沧州市 (Cangzhou, 河北省, 130900) or 常州市 (Changzhou, 江苏省, 320400)?
}

func ExampleResolver() {
	r, err := division.NewResolver(division.ResolverOptions{Grouping: division.ThreeBelts})
	if err != nil {
		panic(err)
	}
	u, _ := r.Resolve("沈阳")
	fmt.Println(u.Code, u.NameEn, u.Province, u.Region, u.Tier)
	_, err = r.Resolve("延边")
	fmt.Println(err)
	// Output:
	// 210100 Shenyang 辽宁省 east very-large
	// "延边" is 延边朝鲜族自治州 (Yanbian, 吉林省, 222400), an autonomous prefecture (自治州), not a city; autonomous prefectures, leagues and areas are excluded unless included
}
