//! What a client declares before uploading: name, type, size and purpose, checked against the
//! limits of that purpose.
use crate::key::{ObjectKey, Purpose};
use user::{FieldErrors, UserId};

/// Images a browser shows inline; everything else is served as a download. SVG is left out on
/// purpose: it can carry script.
const INLINE_IMAGES: [&str; 6] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/bmp",
];

/// Upload size limits, by purpose.
#[derive(Clone, Copy, Debug)]
pub struct UploadLimits {
    pub avatar_max_bytes: u64,
    pub attachment_max_bytes: u64,
}

/// A declared upload, checked: its key is made, its type parsed, its size within the limit.
#[derive(Clone, Debug)]
pub struct Upload {
    pub key: ObjectKey,
    pub content_type: String,
    pub size: u64,
}

/// `type/subtype` of a media type, lower-case, without parameters.
pub fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether objects of this type are served inline (images a browser shows safely).
pub fn is_inline_image(content_type: &str) -> bool {
    INLINE_IMAGES.contains(&essence(content_type).as_str())
}

impl Upload {
    pub fn parse(
        owner: UserId,
        limits: UploadLimits,
        filename: Option<&str>,
        content_type: Option<&str>,
        size: Option<u64>,
        purpose: Option<Purpose>,
    ) -> Result<Self, Vec<user::FieldError>> {
        let mut errors = FieldErrors::new();
        let purpose = match purpose {
            Some(purpose) => Some(purpose),
            None => errors.check::<Purpose>(
                "purpose",
                Err("must be \"avatar\" or \"attachment\"".to_owned()),
            ),
        };
        let filename = errors.required("filename", filename, |raw| {
            let length = raw.chars().count();
            if (1..=255).contains(&length) && !raw.trim().is_empty() {
                Ok(raw.to_owned())
            } else {
                Err("must be 1-255 characters".to_owned())
            }
        });
        let content_type = errors.required("contentType", content_type, |raw| {
            parse_content_type(raw, purpose)
        });
        let max = match purpose {
            Some(Purpose::Avatar) => limits.avatar_max_bytes,
            _ => limits.attachment_max_bytes,
        };
        let size = match size {
            Some(size) if (1..=max).contains(&size) => Some(size),
            Some(_) => errors.check::<u64>(
                "size",
                Err(format!("must be from 1 to {max} bytes for this purpose")),
            ),
            None => errors.check::<u64>("size", Err("is required".to_owned())),
        };
        let (Some(purpose), Some(filename), Some(content_type), Some(size)) =
            (purpose, filename, content_type, size)
        else {
            return Err(errors.into_vec());
        };
        errors.done(Some(Self {
            key: ObjectKey::new(purpose, owner, &filename),
            content_type,
            size,
        }))
    }
}

/// A media type: `type/subtype`, each an RFC 6838 name (a letter or digit, then letters,
/// digits and `!#$&^_.+-`), then any parameters (`; charset=utf-8`), at most 127 characters:
/// what the OpenAPI document's pattern says. It comes back normalised (lower-case type and
/// subtype), as the header the upload must carry and S3 signs.
fn parse_content_type(raw: &str, purpose: Option<Purpose>) -> Result<String, String> {
    let name = |part: &str| {
        let mut bytes = part.bytes();
        bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
            && bytes.all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    let essence = raw.split(';').next().unwrap_or(raw);
    let well_formed = raw.len() <= 127
        && essence
            .split_once('/')
            .is_some_and(|(kind, subtype)| name(kind) && name(subtype));
    let parsed: Option<mime::Mime> = well_formed.then(|| raw.parse().ok()).flatten();
    let normalised = parsed.map(|parsed| parsed.to_string());
    // It is sent back as a header: ASCII only.
    let Some(normalised) =
        normalised.filter(|n| n.len() <= 127 && n.bytes().all(|b| (0x20..0x7f).contains(&b)))
    else {
        return Err(
            "must be a media type such as image/png (at most 127 ASCII characters)".to_owned(),
        );
    };
    if purpose == Some(Purpose::Avatar) && !is_inline_image(&normalised) {
        return Err("an avatar must be a PNG, JPEG, GIF, WebP, AVIF or BMP image".to_owned());
    }
    Ok(normalised)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: UploadLimits = UploadLimits {
        avatar_max_bytes: 100,
        attachment_max_bytes: 1000,
    };

    fn fields(result: Result<Upload, Vec<user::FieldError>>) -> Vec<String> {
        match result {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn limits_and_types_depend_on_the_purpose() {
        let me = UserId::new(1);
        let ok = Upload::parse(
            me,
            LIMITS,
            Some("a.png"),
            Some("image/png"),
            Some(100),
            Some(Purpose::Avatar),
        );
        assert_eq!(fields(ok), Vec::<String>::new());
        let big = Upload::parse(
            me,
            LIMITS,
            Some("a.png"),
            Some("image/png"),
            Some(101),
            Some(Purpose::Avatar),
        );
        assert_eq!(fields(big), ["size"]);
        let svg = Upload::parse(
            me,
            LIMITS,
            Some("a.svg"),
            Some("image/svg+xml"),
            Some(10),
            Some(Purpose::Avatar),
        );
        assert_eq!(fields(svg), ["contentType"]);
        let pdf = Upload::parse(
            me,
            LIMITS,
            Some("a.pdf"),
            Some("application/pdf"),
            Some(1000),
            Some(Purpose::Attachment),
        );
        assert_eq!(fields(pdf), Vec::<String>::new());
        let nothing = Upload::parse(me, LIMITS, None, Some("nonsense"), Some(0), None);
        assert_eq!(
            fields(nothing),
            ["purpose", "filename", "contentType", "size"]
        );
    }

    #[test]
    fn only_safe_images_are_inline() {
        assert!(is_inline_image("image/PNG"));
        for refused in [
            "duaem/r*",
            " image/png",
            "png",
            "a/",
            "a/b c",
            "a/b ;x",
            "-a/b",
            "a/b\u{7f}",
        ] {
            assert!(parse_content_type(refused, None).is_err(), "{refused}");
        }
        for (accepted, normalised) in [
            ("application/vnd.ms-excel", "application/vnd.ms-excel"),
            ("image/svg+xml", "image/svg+xml"),
            ("Image/PNG", "image/png"),
            ("text/plain; charset=utf-8", "text/plain; charset=utf-8"),
            ("x-y/z.1", "x-y/z.1"),
        ] {
            assert_eq!(
                parse_content_type(accepted, None).as_deref(),
                Ok(normalised)
            );
        }
        assert!(is_inline_image("image/jpeg; charset=x"));
        assert!(!is_inline_image("image/svg+xml"));
        assert!(!is_inline_image("text/html"));
    }
}
