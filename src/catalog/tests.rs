//! The catalog's unit tests: the built-in list, what the stream teaches it, the picker's search.

use super::*;

fn room_gift(id: i64, name: &str, diamonds: u32, url: Option<&str>) -> CatalogGift {
    CatalogGift {
        name: name.into(),
        id: Some(id),
        diamonds,
        picture_url: url.map(Into::into),
    }
}

#[test]
fn built_in_catalog_parses_and_has_the_common_gifts() {
    let c = Catalog::built_in();
    assert!(c.len() >= 60, "only {} gifts", c.len());
    let rose = c.by_name("rose").unwrap();
    assert_eq!((rose.id, rose.diamonds), (Some(5655), 1));
    assert_eq!(c.by_id(6369).unwrap().name, "Lion");
    assert_eq!(c.by_name("finger_heart").unwrap().diamonds, 5);
}

#[test]
fn unknown_names_are_flagged_but_ids_never_are() {
    let c = Catalog::built_in();
    assert!(c.knows_trigger("Heart Me"));
    assert!(c.knows_trigger("123456"));
    assert!(!c.knows_trigger("Rosee"));
}

#[test]
fn seen_gifts_join_the_catalog_with_their_pictures() {
    let mut c = Catalog::built_in();
    assert!(!c.knows_trigger("Brand New Gift"));
    let url = "https://p16-webcast.tiktokcdn.com/new.webp";
    assert!(c.note_seen("Brand New Gift", 99_999, 77, Some(url)));
    assert!(
        !c.note_seen("brand new gift", 99_999, 77, None),
        "seen twice"
    );
    assert!(c.knows_trigger("brand new gift"));
    let gift = c.by_id(99_999).unwrap();
    assert_eq!(gift.diamonds, 77);
    assert_eq!(
        gift.picture_url.as_deref(),
        Some(url),
        "a later message without one keeps it"
    );
}

#[test]
fn the_built_in_list_has_pictures_of_the_common_gifts_on_tiktok_s_hosts() {
    let c = Catalog::built_in();
    let hosts = crate::pictures::HostPolicy::default();
    let with_pictures: Vec<&CatalogGift> = c
        .gifts()
        .iter()
        .filter(|g| g.picture_url.is_some())
        .collect();
    assert!(with_pictures.len() >= 10, "{}", with_pictures.len());
    for gift in with_pictures {
        let url = gift.picture_url.as_deref().unwrap();
        assert!(hosts.check(url).is_ok(), "{}: {url}", gift.name);
    }
    assert!(
        c.by_id(5655).unwrap().picture_url.is_some(),
        "the Rose has one"
    );
}

#[test]
fn a_message_s_picture_fills_in_a_built_in_gift_and_bumps_the_generation() {
    let mut c = Catalog::built_in();
    let before = c.generation();
    // Heart Me: in the built-in list with its id, without a picture.
    assert_eq!(c.picture_url(None, 7934, "Heart Me"), None);
    let url = "https://p16-webcast.tiktokcdn.com/heart-me.png";
    c.note_seen("", 7934, 1, Some(url));
    assert!(c.generation() > before);
    assert_eq!(
        c.picture_url(None, 7934, ""),
        Some(url),
        "an empty-named message is matched by its id"
    );
    assert_eq!(
        c.picture_url(Some("https://x.tiktokcdn.com/own.png"), 7934, "Heart Me"),
        Some("https://x.tiktokcdn.com/own.png"),
        "the message's own picture wins"
    );
    let same = c.generation();
    c.note_seen("Heart Me", 7934, 1, Some(url));
    c.note_seen(
        "Heart Me",
        7934,
        1,
        Some("https://p16-webcast.tiktokcdn.com/heart-me.png?sig=2"),
    );
    assert_eq!(c.generation(), same, "nothing new, nothing bumped");
    assert_eq!(
        c.picture_url(None, 7934, "Heart Me"),
        Some(url),
        "the first picture stays"
    );
    assert_eq!(c.pictures_by_id().get(&7934).map(String::as_str), Some(url));
}

#[test]
fn only_web_pictures_are_kept() {
    let mut c = Catalog::default();
    c.note_seen("A", 1, 1, Some("javascript:alert(1)"));
    c.note_seen("B", 2, 1, Some("file:///etc/passwd"));
    c.note_seen("C", 3, 1, Some("https://a.tiktokcdn.com/c.png\n"));
    let long = format!(
        "https://a.tiktokcdn.com/{}",
        "x".repeat(MAX_PICTURE_URL_CHARS)
    );
    c.note_seen("D", 4, 1, Some(&long));
    assert!(c.pictures_by_id().len() == 1, "{:?}", c.pictures_by_id());
    assert_eq!(
        c.by_id(3).unwrap().picture_url.as_deref(),
        Some("https://a.tiktokcdn.com/c.png"),
        "trimmed"
    );
}

#[test]
fn the_room_list_corrects_prices_fills_ids_and_adds_gifts() {
    let mut c = Catalog::built_in();
    let before = c.len();
    let touched = c.merge_room_list([
        room_gift(
            5655,
            "Rose",
            1,
            Some("https://p16-webcast.tiktokcdn.com/rose.webp"),
        ),
        // Known by name in the built-in list without an id.
        room_gift(
            424_242,
            "Potato",
            5,
            Some("https://p16-webcast.tiktokcdn.com/potato.png"),
        ),
        room_gift(31_337, "Galaxy Train", 15_000, None),
        room_gift(6369, "Lion", 29_999, None),
    ]);
    assert_eq!(touched, 3, "Lion is unchanged");
    assert_eq!(c.len(), before + 1);
    assert_eq!(c.by_id(424_242).unwrap().name, "Potato");
    assert_eq!(c.by_trigger("424242").unwrap().name, "Potato");
    assert_eq!(c.by_trigger("galaxy_train").unwrap().diamonds, 15_000);
    assert_eq!(
        c.by_id(5655).unwrap().picture_url.as_deref(),
        Some("https://p16-webcast.tiktokcdn.com/rose.webp"),
        "the room's picture replaces the built-in one"
    );
    // A second, identical list changes nothing.
    let generation = c.generation();
    c.merge_room_list([room_gift(5655, "Rose", 1, None)]);
    assert_eq!(
        c.generation(),
        generation,
        "a list without a picture keeps the one known"
    );
}

#[test]
fn suggestions_prefer_prefixes_and_are_bounded() {
    let c = Catalog::built_in();
    let s = c.suggestions("ro");
    assert!(!s.is_empty() && s.len() <= MAX_SUGGESTIONS);
    assert!(s[0].name.to_lowercase().starts_with("ro"));
    assert!(c.suggestions("").is_empty());
    assert!(
        c.suggestions("heart")
            .iter()
            .any(|g| g.name == "Finger Heart"),
        "contains-matches are offered too"
    );
}

#[test]
fn the_picker_searches_names_and_ids_filters_coins_and_sorts_by_coins() {
    let c = Catalog::built_in();
    let all = c.pick(&PickerQuery::default());
    assert_eq!(all.len(), c.len(), "an empty query lists everything");
    assert!(
        all.windows(2).all(|w| w[0].diamonds <= w[1].diamonds),
        "sorted by coins"
    );

    let hearts = c.pick(&PickerQuery {
        text: "HEART".into(),
        ..PickerQuery::default()
    });
    assert!(hearts.iter().any(|g| g.name == "Finger Heart"));
    assert!(
        hearts
            .iter()
            .all(|g| g.name.to_lowercase().contains("heart"))
    );

    let by_id = c.pick(&PickerQuery {
        text: "5655".into(),
        ..PickerQuery::default()
    });
    assert_eq!(by_id.first().map(|g| g.name.as_str()), Some("Rose"));

    let mid = c.pick(&PickerQuery {
        text: String::new(),
        min_coins: 10,
        max_coins: Some(99),
    });
    assert!(!mid.is_empty());
    assert!(mid.iter().all(|g| (10..=99).contains(&g.diamonds)));
    assert!(mid.iter().any(|g| g.name == "Perfume"));
    let none = c.pick(&PickerQuery {
        text: "rose".into(),
        min_coins: 100,
        max_coins: None,
    });
    assert!(none.iter().all(|g| g.diamonds >= 100));
}
