use super::*;

fn province(address: &str) -> String {
    parse_address(address).map(|r| r.province.to_string()).unwrap_or_default()
}

#[test]
fn every_province_by_every_spelling() {
    assert_eq!(PROVINCES.len(), 34);
    for p in PROVINCES {
        for spelling in p.spellings {
            assert_eq!(normalize_province(spelling), Some(p.name), "{spelling}");
            assert_eq!(province(&format!("{spelling} 某某路 8 号")), p.name, "{spelling} as address");
            assert_eq!(province(&format!("{spelling}某某路8号")), p.name, "{spelling} without spaces");
        }
    }
}

#[test]
fn suffixes_and_official_names_fold_to_one_name() {
    for (text, name) in [
        ("广东省", "广东"),
        ("广东", "广东"),
        (" 广东省 ", "广东"),
        ("内蒙古自治区", "内蒙古"),
        ("广西壮族自治区", "广西"),
        ("新疆维吾尔自治区", "新疆"),
        ("宁夏回族自治区", "宁夏"),
        ("西藏自治区", "西藏"),
        ("北京市", "北京"),
        ("北京", "北京"),
        ("香港特别行政区", "香港"),
        ("澳門特別行政區", "澳门"),
        ("黑龙江省", "黑龙江"),
    ] {
        assert_eq!(normalize_province(text), Some(name), "{text}");
    }
    // A province cell must be a province, not an address or a word that begins like one.
    assert_eq!(normalize_province("广东省深圳市"), None);
    assert_eq!(normalize_province("江"), None);
    assert_eq!(normalize_province(""), None);
}

#[test]
fn addresses_give_province_and_city() {
    let r = parse_address("广东省 深圳市 南山区 科技园路 1 号").unwrap();
    assert_eq!((r.province.as_str(), r.city.as_deref()), ("广东", Some("深圳")));
    let r = parse_address("内蒙古自治区呼和浩特市新城区").unwrap();
    assert_eq!((r.province.as_str(), r.city.as_deref()), ("内蒙古", Some("呼和浩特")));
    let r = parse_address("河南省周口市川汇区").unwrap();
    assert_eq!((r.province.as_str(), r.city.as_deref()), ("河南", Some("周口")));
    let r = parse_address("湖北省恩施土家族苗族自治州恩施市").unwrap();
    assert_eq!((r.province.as_str(), r.city.as_deref()), ("湖北", Some("恩施土家族苗族自治州")));
    let r = parse_address("上海市 浦东新区 世纪大道").unwrap();
    assert_eq!((r.province.as_str(), r.city.as_deref()), ("上海", Some("上海")));
    let r = parse_address("中国 浙江省杭州市西湖区").unwrap();
    assert_eq!((r.province.as_str(), r.city.as_deref()), ("浙江", Some("杭州")));
    // 收货人所在地 style: province and city only.
    let r = parse_address("新疆维吾尔自治区 乌鲁木齐市").unwrap();
    assert_eq!((r.province.as_str(), r.city.as_deref()), ("新疆", Some("乌鲁木齐")));
}

#[test]
fn a_city_without_province_finds_its_province() {
    for (address, province_name, city) in [
        ("深圳市南山区科技园", "广东", "深圳"),
        ("广州天河区体育西路", "广东", "广州"),
        ("杭州市西湖区", "浙江", "杭州"),
        ("成都市武侯区", "四川", "成都"),
        ("苏州工业园区", "江苏", "苏州"),
        ("乌鲁木齐市天山区", "新疆", "乌鲁木齐"),
        ("大连市中山区", "辽宁", "大连"),
    ] {
        let r = parse_address(address).unwrap();
        assert_eq!((r.province.as_str(), r.city.as_deref()), (province_name, Some(city)), "{address}");
    }
    for (city, province_name) in CITIES {
        assert!(PROVINCES.iter().any(|p| p.name == *province_name), "{city} → {province_name} is a province");
        assert_eq!(province(&format!("{city}市某区")), *province_name, "{city}");
    }
}

#[test]
fn junk_is_unknown_and_empty_is_nothing() {
    for junk in ["某某路 8 号", "自提", "N/A", "123456", "Main Street 1, London", "🙂"] {
        assert_eq!(province(junk), UNKNOWN, "{junk}");
    }
    assert_eq!(parse_address(""), None);
    assert_eq!(parse_address("  ，"), None);
    // 海南藏族自治州 is in 青海.
    assert_eq!(province("海南藏族自治州共和县"), "青海");
}

#[test]
fn cells_prefer_the_province_column_then_the_address_then_the_city() {
    let r = from_cells(Some("广东省"), Some("深圳市"), Some("浙江省杭州市")).unwrap();
    assert_eq!((r.province.as_str(), r.city.as_deref()), ("广东", Some("深圳")));
    let r = from_cells(None, None, Some("浙江省杭州市")).unwrap();
    assert_eq!((r.province.as_str(), r.city.as_deref()), ("浙江", Some("杭州")));
    let r = from_cells(None, Some("深圳市"), None).unwrap();
    assert_eq!((r.province.as_str(), r.city.as_deref()), ("广东", Some("深圳")));
    let r = from_cells(Some("北京"), Some("朝阳区"), None).unwrap();
    assert_eq!((r.province.as_str(), r.city.as_deref()), ("北京", Some("北京")));
    let r = from_cells(Some("火星"), None, None).unwrap();
    assert_eq!(r.province, UNKNOWN);
    assert_eq!(from_cells(Some(" "), None, Some("")), None);
}
