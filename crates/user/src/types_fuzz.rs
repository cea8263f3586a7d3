//! Property tests of the input newtypes: any text gets an answer (never a panic), and whatever is
//! accepted keeps the newtype's promise.
use super::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn accepted_values_keep_their_promise(raw in any::<String>()) {
        if let Ok(name) = Username::parse(&raw) {
            let name = name.as_str();
            prop_assert!((3..=32).contains(&name.len()));
            prop_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)));
        }
        if let Ok(nick) = NickName::parse(&raw) {
            let nick = nick.as_str();
            prop_assert!((1..=50).contains(&nick.chars().count()));
            prop_assert_eq!(nick.trim(), nick);
        }
        if let Ok(email) = Email::parse(&raw) {
            prop_assert!(email.as_str().len() <= 254);
            prop_assert_eq!(email.as_str().to_lowercase(), email.as_str());
        }
        if let Ok(password) = Password::parse(&raw) {
            prop_assert!((6..=72).contains(&password.as_str().len()));
        }
        if let Ok(code) = Captcha::parse(&raw) {
            prop_assert!(code.as_str().len() == 6 && code.as_str().bytes().all(|b| b.is_ascii_digit()));
        }
        if let Ok(text) = SearchText::parse(&raw) {
            // In the pattern every `%`, `_` and `!` of the text is escaped.
            let pattern = text.contains_pattern();
            let inner = &pattern[1..pattern.len() - 1];
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == LIKE_ESCAPE {
                    prop_assert!(matches!(chars.next(), Some('%' | '_' | '!')));
                } else {
                    prop_assert!(c != '%' && c != '_');
                }
            }
        }
        let prefix = "http://chat.test/storage/object/avatar/1/";
        if let Ok(head) = HeadPic::parse(&raw, prefix) {
            let head = head.as_str();
            prop_assert!(head.is_empty() || head.starts_with(prefix));
            prop_assert!(!head.contains(['"', '<', '>', '\'', '?', '#', ' ']));
        }
    }

    #[test]
    fn pages_are_in_range_or_refused(page in proptest::option::of(".{0,24}"), size in proptest::option::of(".{0,24}")) {
        if let Ok(request) = PageRequest::parse(page.as_deref(), size.as_deref()) {
            prop_assert!(request.page() >= 1 && request.page() <= 10_000_000);
            prop_assert!((1..=100).contains(&request.page_size()));
            prop_assert!(request.offset() < i64::MAX as u64);
        }
    }
}
