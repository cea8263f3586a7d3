//! Object keys: `<purpose>/<user id>/<uuid>/<sanitised name>`, made by the server only. The uuid
//! makes every key new, so nobody can overwrite another's object, and the sanitised name can
//! never climb out of its folder (no separators, no leading dot).
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use user::UserId;
use utoipa::ToSchema;
use uuid::Uuid;

/// What an upload is for: it decides the size limit, the allowed types and where the key lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    Avatar,
    Attachment,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Avatar => "avatar",
            Purpose::Attachment => "attachment",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "avatar" => Some(Purpose::Avatar),
            "attachment" => Some(Purpose::Attachment),
            _ => None,
        }
    }
}

/// The longest sanitised file name, in characters (the extension is kept when cutting).
const MAX_NAME_CHARS: usize = 100;

/// Characters kept literally in a URL path segment; everything else is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'(')
    .remove(b')');

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectKey {
    purpose: Purpose,
    owner: UserId,
    key: String,
    name: String,
}

impl ObjectKey {
    /// A fresh key for `owner`'s upload of a file called `filename`.
    pub fn new(purpose: Purpose, owner: UserId, filename: &str) -> Self {
        let name = sanitise_name(filename);
        let key = format!(
            "{}/{}/{}/{name}",
            purpose.as_str(),
            owner.get(),
            Uuid::new_v4().hyphenated()
        );
        Self {
            purpose,
            owner,
            key,
            name,
        }
    }

    /// A key from a URL path (already percent-decoded): only what `new` could have made.
    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.split('/');
        let purpose = Purpose::parse(parts.next()?)?;
        let owner = parts.next()?;
        let id = parts.next()?;
        let name = parts.next()?;
        let owner_ok = !owner.is_empty()
            && owner.len() <= 19
            && owner.bytes().all(|b| b.is_ascii_digit())
            && !owner.starts_with('0');
        let owner = owner.parse::<i64>().ok().filter(|_| owner_ok)?;
        let id_ok = Uuid::try_parse(id).is_ok_and(|uuid| uuid.hyphenated().to_string() == id);
        let name_ok = !name.is_empty() && sanitise_name(name) == name;
        (parts.next().is_none() && id_ok && name_ok).then(|| Self {
            purpose,
            owner: UserId::new(owner),
            key: raw.to_owned(),
            name: name.to_owned(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }

    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    /// The user who uploaded it.
    pub fn owner(&self) -> UserId {
        self.owner
    }

    /// The key an object URL (`<any origin>/storage/object/<key>`, as stored in a message or
    /// a `headPic`) names, whatever public URL the service had when it was made.
    pub fn from_url(url: &str) -> Option<Self> {
        let (_, path) = url.split_once("/storage/object/")?;
        let path = percent_encoding::percent_decode_str(path)
            .decode_utf8()
            .ok()?;
        Self::parse(&path)
    }

    /// The file name, as shown in a download.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key as a URL path, each segment percent-encoded (Unicode names stay readable once
    /// decoded, as browsers show them).
    pub fn url_path(&self) -> String {
        self.key
            .split('/')
            .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// A file name that is safe as one path segment on any file system and in any URL: letters and
/// digits of any script, `.`, `-`, `_`, `(`, `)`; a run of white space becomes one space (as
/// people name files: "Trip photos (2).zip"), a run of anything else one `_`; no leading dot
/// and no space at either end; at most 100 characters, keeping the extension; `file` when
/// nothing is left.
pub fn sanitise_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let mut name = String::with_capacity(base.len());
    for c in base.chars() {
        let keep = c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '(' | ')');
        let stand_in = if c.is_whitespace() { ' ' } else { '_' };
        if keep {
            name.push(c);
        } else if !name.ends_with(stand_in) {
            name.push(stand_in);
        }
    }
    let name = shorten(name.trim_start_matches(['.', '_', ' ']));
    // Trimmed after shortening too, so sanitising a sanitised name changes nothing.
    let name = name.trim_end_matches(['_', ' ']);
    if name.is_empty() || name.chars().all(|c| c == '.') {
        "file".to_owned()
    } else {
        name.to_owned()
    }
}

fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| !ext.is_empty() && ext.chars().count() <= 10);
    match extension {
        Some(ext) => {
            let keep = MAX_NAME_CHARS - ext.chars().count() - 1;
            let stem: String = name.chars().take(keep).collect();
            format!("{stem}.{ext}")
        }
        None => name.chars().take(MAX_NAME_CHARS).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_tricks_but_keep_their_script() {
        assert_eq!(sanitise_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_name("C:\\Users\\me\\photo.png"), "photo.png");
        assert_eq!(sanitise_name(".."), "file");
        assert_eq!(sanitise_name(".htaccess"), "htaccess");
        assert_eq!(sanitise_name("  "), "file");
        assert_eq!(
            sanitise_name("my holiday  photo?.jpg"),
            "my holiday photo_.jpg"
        );
        assert_eq!(
            sanitise_name(" Trip\tphotos (2).zip "),
            "Trip photos (2).zip"
        );
        assert_eq!(sanitise_name("a ? b.txt"), "a _ b.txt");
        assert_eq!(sanitise_name("照片 2026.png"), "照片 2026.png");
        assert_eq!(sanitise_name("a%2e%2e/b#c.txt"), "b_c.txt");
        for tricky in [
            format!("{} b", "a".repeat(99)),
            format!("{}_.txt", "a".repeat(120)),
            format!("..{}", "_".repeat(120)),
            "ünï cödé?.tar.gz".to_owned(),
        ] {
            let once = sanitise_name(&tricky);
            assert_eq!(sanitise_name(&once), once, "{tricky}");
            let key = ObjectKey::new(Purpose::Attachment, UserId::new(1), &tricky);
            assert_eq!(ObjectKey::parse(key.as_str()), Some(key), "{tricky}");
        }
        let long = format!("{}.pdf", "x".repeat(300));
        let short = sanitise_name(&long);
        assert_eq!(short.chars().count(), MAX_NAME_CHARS);
        assert!(short.ends_with(".pdf"));
    }

    #[test]
    fn keys_are_unique_and_parse_back() {
        let a = ObjectKey::new(Purpose::Attachment, UserId::new(7), "照片.png");
        let b = ObjectKey::new(Purpose::Attachment, UserId::new(7), "照片.png");
        assert_ne!(a.as_str(), b.as_str());
        assert!(a.as_str().starts_with("attachment/7/"));
        assert_eq!(ObjectKey::parse(a.as_str()), Some(a.clone()));
        assert!(!a.url_path().contains('照'));
        assert!(a.url_path().ends_with("/%E7%85%A7%E7%89%87.png"));
    }

    #[test]
    fn object_urls_pass_the_stored_url_check_and_tricks_do_not() {
        let base = "http://chat.test/storage/object/";
        let prefix = format!("{base}attachment/");
        let key = ObjectKey::new(Purpose::Attachment, UserId::new(3), "报告 (v2).pdf");
        assert!(user::is_stored_url(
            &format!("{base}{}", key.url_path()),
            &prefix
        ));
        for bad in [
            format!("{prefix}x\"><img src=x onerror=alert(1)>"),
            format!("{prefix}x?download=1"),
            format!("{prefix}x#y"),
            format!("{prefix}../../user/info"),
            format!("{prefix}%2e%2e/x"),
            prefix.clone(),
            "http://evil.test/storage/object/attachment/x".to_owned(),
        ] {
            assert!(!user::is_stored_url(&bad, &prefix), "{bad}");
        }
    }

    #[test]
    fn only_server_made_keys_parse() {
        let id = Uuid::new_v4().hyphenated().to_string();
        for bad in [
            format!("avatar/1/{id}/../x"),
            format!("avatar/1/{id}/.x"),
            format!("avatar/1/{id}/a/b"),
            format!("other/1/{id}/x"),
            format!("avatar/01/{id}/x"),
            format!("avatar/x/{id}/x"),
            "avatar/1/not-a-uuid/x".to_owned(),
            format!("avatar/1/{}/x", id.to_uppercase()),
            format!("avatar/1/{id}/"),
            format!("avatar/1/{id}/a  b"),
            format!("avatar/1/{id}/a b "),
        ] {
            assert_eq!(ObjectKey::parse(&bad), None, "{bad}");
        }
        assert!(ObjectKey::parse(&format!("avatar/1/{id}/x.png")).is_some());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever name a client sends, the server's key parses back, its name is already
        /// sanitised, and its URL passes the stored-URL check without a single unsafe character.
        #[test]
        fn every_filename_makes_a_safe_key(name in any::<String>(), owner in 1i64..i64::MAX) {
            let key = ObjectKey::new(Purpose::Attachment, UserId::new(owner), &name);
            prop_assert_eq!(ObjectKey::parse(key.as_str()), Some(key.clone()));
            prop_assert_eq!(sanitise_name(key.name()), key.name());
            prop_assert!(!key.name().starts_with('.') && !key.name().contains(['/', '\\']));
            let base = "http://chat.test/storage/object/";
            let url = format!("{base}{}", key.url_path());
            let prefix = format!("{base}attachment/");
            prop_assert!(user::is_stored_url(&url, &prefix));
        }
    }
}
