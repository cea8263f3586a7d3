//! The user service against a real database and the real captcha stores.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports
mod support;

use std::sync::Arc;
use std::time::Duration;
use support::*;
use user::{
    Captcha, Email, LoginInput, LoginLimits, ManualClock, NickName, PageRequest, Password,
    ResetPasswordInput, SearchText, UpdateInput, UserError, UserId, UserService, Username,
};

fn login(username: &str, password: &str) -> LoginInput {
    LoginInput {
        username: Username::parse(username).unwrap(),
        password: password.to_owned(),
    }
}

#[tokio::test]
async fn register_then_login_returns_the_profile_and_token_version() {
    let h = harness().await;
    let username = name("alice");
    let profile = h.register(&username).await;
    assert_eq!(profile.username, username);
    assert_eq!(profile.email, format!("{username}@example.com"));
    let logged_in = h
        .service
        .login(login(&username, "secret-pw"), "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(logged_in.profile, profile);
    assert_eq!(logged_in.token_version, 0);
    let stored = h.service.profile(UserId::new(profile.id)).await.unwrap();
    assert_eq!(stored, profile);
}

#[tokio::test]
async fn the_password_is_stored_hashed() {
    use sea_orm::EntityTrait;
    let h = harness().await;
    let profile = h.register(&name("hash")).await;
    let row = user::entity::Entity::find_by_id(profile.id)
        .one(&h.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(row.password_hash, "secret-pw");
    assert!(row.password_hash.starts_with("$2"), "bcrypt hash expected");
}

#[tokio::test]
async fn register_refuses_a_wrong_code() {
    let h = harness().await;
    let (address, code) = h.register_code("wrong").await;
    let wrong = other_code(&code);
    let err = h
        .service
        .register(register_input(&name("u"), &address, wrong))
        .await;
    assert!(matches!(err, Err(UserError::CaptchaInvalid)), "{err:?}");
}

#[tokio::test]
async fn a_code_works_only_once() {
    let h = harness().await;
    let (address, code) = h.register_code("once").await;
    h.service
        .register(register_input(&name("first"), &address, &code))
        .await
        .unwrap();
    let again = h
        .service
        .register(register_input(&name("second"), &address, &code))
        .await;
    assert!(matches!(again, Err(UserError::CaptchaInvalid)), "{again:?}");
}

#[tokio::test]
async fn five_wrong_tries_void_the_code() {
    let h = harness().await;
    let (address, code) = h.register_code("brute").await;
    let wrong = other_code(&code);
    for _ in 0..5 {
        let err = h
            .service
            .register(register_input(&name("b"), &address, wrong))
            .await;
        assert!(matches!(err, Err(UserError::CaptchaInvalid)));
    }
    let right = h
        .service
        .register(register_input(&name("b"), &address, &code))
        .await;
    assert!(matches!(right, Err(UserError::CaptchaInvalid)), "{right:?}");
}

#[tokio::test]
async fn four_wrong_tries_leave_the_code_usable() {
    let h = harness().await;
    let (address, code) = h.register_code("four").await;
    let wrong = other_code(&code);
    for _ in 0..4 {
        let _ = h
            .service
            .register(register_input(&name("f"), &address, wrong))
            .await;
    }
    h.service
        .register(register_input(&name("f"), &address, &code))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let clock = Arc::new(ManualClock::new());
    let config = test_config();
    let ttl = config.captcha.register_ttl;
    let h = harness_with_clock(config, clock.clone()).await;
    let (late, late_code) = h.register_code("late").await;
    let (in_time, in_time_code) = h.register_code("in-time").await;

    clock.advance(ttl - Duration::from_millis(1));
    h.service
        .register(register_input(&name("t"), &in_time, &in_time_code))
        .await
        .unwrap();
    clock.advance(Duration::from_millis(1));
    let err = h
        .service
        .register(register_input(&name("l"), &late, &late_code))
        .await;
    assert!(matches!(err, Err(UserError::CaptchaInvalid)), "{err:?}");
}

#[tokio::test]
async fn one_send_per_address_and_flow_per_interval() {
    let h = harness().await;
    let address = format!("{}@example.com", name("often"));
    h.service
        .send_register_captcha(&email(&address))
        .await
        .unwrap();
    // The same address in another spelling is the same key.
    let again = h
        .service
        .send_register_captcha(&email(&address.to_uppercase()))
        .await;
    match again {
        Err(UserError::CaptchaTooSoon { retry_after_secs }) => {
            assert!((1..=60).contains(&retry_after_secs), "{retry_after_secs}")
        }
        other => panic!("expected CaptchaTooSoon, got {other:?}"),
    }
    assert_eq!(h.outbox.count_to(&address), 1);
}

#[tokio::test]
async fn addresses_are_normalised() {
    let h = harness().await;
    let address = format!("{}@example.com", name("norm"));
    let shouted = format!("  {}  ", address.to_uppercase());
    h.service
        .send_register_captcha(&email(&shouted))
        .await
        .unwrap();
    let code = h.outbox.code_for(&address);
    let profile = h
        .service
        .register(register_input(&name("n"), &shouted, &code))
        .await
        .unwrap();
    assert_eq!(profile.email, address);
}

#[tokio::test]
async fn usernames_are_unique_without_regard_to_case() {
    let h = harness().await;
    let username = name("Dup");
    h.register(&username).await;
    let (address, code) = h.register_code("other").await;
    let err = h
        .service
        .register(register_input(&username.to_lowercase(), &address, &code))
        .await;
    assert!(matches!(err, Err(UserError::UsernameTaken)), "{err:?}");
}

#[tokio::test]
async fn an_email_has_one_account() {
    let h = harness().await;
    let first = h.register(&name("mail")).await;
    let err = register_again(&h, &name("m"), &first.email).await;
    assert!(matches!(err, Err(UserError::EmailTaken)), "{err:?}");
}

/// Registers `username` with an address that already has an account, through a second service
/// (its own captcha store, so no send interval in the way) on the same data.
async fn register_again(
    h: &Harness,
    username: &str,
    address: &str,
) -> Result<user::Profile, UserError> {
    let h2 = harness_on(h).await;
    h2.service
        .send_register_captcha(&email(address))
        .await
        .unwrap();
    let code = h2.outbox.code_for(address);
    h2.service
        .register(register_input(username, address, &code))
        .await
}

/// A second service on the same database with its own stores and outbox.
async fn harness_on(h: &Harness) -> SecondService {
    let outbox = std::sync::Arc::new(Outbox::default());
    let service = user::SeaUserService::new(
        h.db.conn.clone(),
        test_config(),
        std::sync::Arc::new(adapters::ephemeral::MemoryStore::default()),
        outbox.clone(),
    );
    SecondService { service, outbox }
}

struct SecondService {
    service: user::SeaUserService,
    outbox: std::sync::Arc<Outbox>,
}

#[tokio::test]
async fn two_racing_registrations_of_one_username_give_one_account() {
    let h = harness().await;
    let username = name("race");
    let (a, b) = (
        format!("{}@example.com", name("ra")),
        format!("{}@example.com", name("rb")),
    );
    h.service.send_register_captcha(&email(&a)).await.unwrap();
    h.service.send_register_captcha(&email(&b)).await.unwrap();
    let (code_a, code_b) = (h.outbox.code_for(&a), h.outbox.code_for(&b));
    let (ra, rb) = tokio::join!(
        h.service.register(register_input(&username, &a, &code_a)),
        h.service.register(register_input(&username, &b, &code_b)),
    );
    let oks = [ra.is_ok(), rb.is_ok()].iter().filter(|ok| **ok).count();
    assert_eq!(oks, 1, "{ra:?} {rb:?}");
    let loser = if ra.is_ok() { rb } else { ra };
    assert!(matches!(loser, Err(UserError::UsernameTaken)), "{loser:?}");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_fail_alike() {
    let h = harness().await;
    let username = name("cred");
    h.register(&username).await;
    let wrong = h
        .service
        .login(login(&username, "not-it"), "10.0.0.2")
        .await;
    let unknown = h
        .service
        .login(login(&name("ghost"), "secret-pw"), "10.0.0.2")
        .await;
    assert!(matches!(wrong, Err(UserError::InvalidCredentials)));
    assert!(matches!(unknown, Err(UserError::InvalidCredentials)));
}

#[tokio::test]
async fn logins_are_throttled_per_account_and_address_per_account_and_per_address() {
    let mut config = test_config();
    config.login_limits = LoginLimits {
        per_account_address: 3,
        per_account: 5,
        per_address: 6,
        window: Duration::from_secs(900),
    };
    let h = harness_with(config).await;
    let username = name("thr");
    h.register(&username).await;
    // Any spelling that finds the account counts against it.
    for spelling in [username.clone(), username.to_uppercase(), username.clone()] {
        let err = h
            .service
            .login(login(&spelling, "nope-nope"), "10.0.0.3")
            .await;
        assert!(matches!(err, Err(UserError::InvalidCredentials)), "{err:?}");
    }
    // From that address even the right password is refused now...
    let err = h
        .service
        .login(login(&username.to_uppercase(), "secret-pw"), "10.0.0.3")
        .await;
    match err {
        Err(UserError::TooManyAttempts { retry_after_secs }) => {
            assert!((1..=900).contains(&retry_after_secs))
        }
        other => panic!("expected TooManyAttempts, got {other:?}"),
    }
    // ...while the owner, elsewhere, still gets in.
    h.service
        .login(login(&username, "secret-pw"), "10.0.0.4")
        .await
        .unwrap();
    // Guesses from other addresses reach the account's own bound (5 failures in all).
    for _ in 0..2 {
        let err = h
            .service
            .login(login(&username, "nope-nope"), "10.0.0.5")
            .await;
        assert!(matches!(err, Err(UserError::InvalidCredentials)), "{err:?}");
    }
    let err = h
        .service
        .login(login(&username, "secret-pw"), "10.0.0.6")
        .await;
    assert!(
        matches!(err, Err(UserError::TooManyAttempts { .. })),
        "{err:?}"
    );
    // Failures on any names from one address reach the address's bound (6).
    for _ in 0..3 {
        let _ = h
            .service
            .login(login(&name("x"), "whatever"), "10.0.0.3")
            .await;
    }
    // A name without an account is bounded per (name, address) like an account: its 429 does
    // not tell the two apart.
    let ghost = name("ghost");
    for _ in 0..3 {
        let err = h.service.login(login(&ghost, "whatever"), "10.0.0.7").await;
        assert!(matches!(err, Err(UserError::InvalidCredentials)), "{err:?}");
    }
    let err = h.service.login(login(&ghost, "whatever"), "10.0.0.7").await;
    assert!(
        matches!(err, Err(UserError::TooManyAttempts { .. })),
        "{err:?}"
    );
    let other = h.register(&name("fresh")).await;
    let err = h
        .service
        .login(login(&other.username, "secret-pw"), "10.0.0.3")
        .await;
    assert!(
        matches!(err, Err(UserError::TooManyAttempts { .. })),
        "{err:?}"
    );
    h.service
        .login(login(&other.username, "secret-pw"), "10.0.0.9")
        .await
        .unwrap();
}

#[tokio::test]
async fn nickname_and_avatar_change_without_a_code() {
    let h = harness().await;
    let profile = h.register(&name("nick")).await;
    let id = UserId::new(profile.id);
    let input = UpdateInput {
        nick_name: Some(NickName::parse("  New Nick  ").unwrap()),
        head_pic: None,
        // The same address again is no change, so it needs no code either.
        email: Some(Email::parse(&profile.email.to_uppercase()).unwrap()),
        captcha: None,
    };
    let updated = h.service.update(id, input).await.unwrap();
    assert_eq!(
        (updated.nick_name.as_str(), updated.email.as_str()),
        ("New Nick", profile.email.as_str())
    );
    assert_eq!(h.service.profile(id).await.unwrap(), updated);
}

#[tokio::test]
async fn a_new_email_needs_the_code_mailed_to_that_address() {
    let h = harness().await;
    let profile = h.register(&name("upd")).await;
    let id = UserId::new(profile.id);
    let new_email = format!("{}@example.org", name("new"));
    let change = |code: Option<&str>| UpdateInput {
        nick_name: None,
        head_pic: None,
        email: Some(Email::parse(&new_email).unwrap()),
        captcha: code.map(|code| Captcha::parse(code).unwrap()),
    };
    // No code, or a code mailed to the stored address: the email stays.
    let err = h.service.update(id, change(None)).await;
    assert!(matches!(err, Err(UserError::CaptchaInvalid)), "{err:?}");
    h.service.send_update_captcha(id, None).await.unwrap();
    let to_stored = h.outbox.code_for(&profile.email);
    let err = h.service.update(id, change(Some(&to_stored))).await;
    assert!(matches!(err, Err(UserError::CaptchaInvalid)), "{err:?}");
    assert_eq!(h.service.profile(id).await.unwrap(), profile);
    // The code mailed to the new address changes it.
    h.service
        .send_update_captcha(id, Some(&email(&new_email)))
        .await
        .unwrap();
    let to_new = h.outbox.code_for(&new_email);
    let updated = h.service.update(id, change(Some(&to_new))).await.unwrap();
    assert_eq!(updated.email, new_email);
    assert_eq!(updated.nick_name, profile.nick_name);
}

#[tokio::test]
async fn a_code_for_another_new_address_changes_nothing() {
    let h = harness().await;
    let profile = h.register(&name("keep")).await;
    let id = UserId::new(profile.id);
    let (mine, other) = (
        format!("{}@example.org", name("mine")),
        format!("{}@example.org", name("other")),
    );
    h.service
        .send_update_captcha(id, Some(&email(&other)))
        .await
        .unwrap();
    let code = h.outbox.code_for(&other);
    let input = UpdateInput {
        nick_name: Some(NickName::parse("Changed").unwrap()),
        head_pic: None,
        email: Some(Email::parse(&mine).unwrap()),
        captcha: Some(Captcha::parse(&code).unwrap()),
    };
    let err = h.service.update(id, input).await;
    assert!(matches!(err, Err(UserError::CaptchaInvalid)), "{err:?}");
    assert_eq!(h.service.profile(id).await.unwrap(), profile);
}

#[tokio::test]
async fn a_taken_email_is_a_conflict_when_asking_and_when_updating() {
    let h = harness().await;
    let taken = h.register(&name("taken")).await;
    let me = h.register(&name("me")).await;
    let asked = h
        .service
        .send_update_captcha(UserId::new(me.id), Some(&email(&taken.email)))
        .await;
    assert!(matches!(asked, Err(UserError::EmailTaken)), "{asked:?}");
    let input = UpdateInput {
        nick_name: None,
        head_pic: None,
        email: Some(Email::parse(&taken.email).unwrap()),
        captcha: Some(Captcha::parse("123456").unwrap()),
    };
    let err = h.service.update(UserId::new(me.id), input).await;
    assert!(matches!(err, Err(UserError::EmailTaken)), "{err:?}");
}

fn reset_input(username: &str, address: &str, password: &str, code: &str) -> ResetPasswordInput {
    ResetPasswordInput {
        username: Username::parse(username).unwrap(),
        email: Email::parse(address).unwrap(),
        password: Password::parse(password).unwrap(),
        captcha: Captcha::parse(code).unwrap(),
    }
}

#[tokio::test]
async fn reset_changes_the_password_and_revokes_tokens() {
    let h = harness().await;
    let profile = h.register(&name("reset")).await;
    let code = h.reset_code(&profile.email).await;
    h.service
        .reset_password(reset_input(
            &profile.username,
            &profile.email,
            "brand-new",
            &code,
        ))
        .await
        .unwrap();
    let version = h
        .service
        .token_version(UserId::new(profile.id))
        .await
        .unwrap();
    assert_eq!(version, Some(1));
    let old = h
        .service
        .login(login(&profile.username, "secret-pw"), "10.1.0.1")
        .await;
    assert!(matches!(old, Err(UserError::InvalidCredentials)));
    let new = h
        .service
        .login(login(&profile.username, "brand-new"), "10.1.0.1")
        .await
        .unwrap();
    assert_eq!(new.token_version, 1);
}

#[tokio::test]
async fn reset_codes_have_a_daily_cap_of_wrong_tries_per_address() {
    let mut config = test_config();
    config.captcha.reset_wrong_tries_per_day = 3;
    let h = harness_with(config).await;
    let profile = h.register(&name("daily")).await;
    let code = h.reset_code(&profile.email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let attempt = |code: &str| {
        h.service.reset_password(reset_input(
            &profile.username,
            &profile.email,
            "brand-new",
            code,
        ))
    };
    for _ in 0..3 {
        assert!(matches!(
            attempt(wrong).await,
            Err(UserError::CaptchaInvalid)
        ));
    }
    // The code itself would allow five tries; the address has used its three of the day.
    match attempt(&code).await {
        Err(UserError::TooManyAttempts { retry_after_secs }) => {
            assert!((1..=86_400).contains(&retry_after_secs))
        }
        other => panic!("expected TooManyAttempts, got {other:?}"),
    }
    let old = h
        .service
        .login(login(&profile.username, "secret-pw"), "10.1.0.2")
        .await;
    assert!(old.is_ok(), "the password did not change: {old:?}");
}

#[tokio::test]
async fn guesses_while_no_reset_code_is_out_do_not_use_up_the_day() {
    let mut config = test_config();
    config.captcha.reset_wrong_tries_per_day = 3;
    let h = harness_with(config).await;
    let profile = h.register(&name("nocode")).await;
    for _ in 0..5 {
        let err = h
            .service
            .reset_password(reset_input(
                &profile.username,
                &profile.email,
                "brand-new",
                "123456",
            ))
            .await;
        assert!(matches!(err, Err(UserError::CaptchaInvalid)), "{err:?}");
    }
    // The owner asks for a code now and still gets to use it.
    let code = h.reset_code(&profile.email).await;
    h.service
        .reset_password(reset_input(
            &profile.username,
            &profile.email,
            "brand-new",
            &code,
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn reset_with_someone_elses_username_is_refused() {
    let h = harness().await;
    let victim = h.register(&name("victim")).await;
    let attacker = h.register(&name("attacker")).await;
    let code = h.reset_code(&attacker.email).await;
    let err = h
        .service
        .reset_password(reset_input(
            &victim.username,
            &attacker.email,
            "hijacked",
            &code,
        ))
        .await;
    assert!(matches!(err, Err(UserError::AccountMismatch)), "{err:?}");
    h.service
        .login(login(&victim.username, "secret-pw"), "10.2.0.1")
        .await
        .unwrap();
    assert_eq!(
        h.service
            .token_version(UserId::new(victim.id))
            .await
            .unwrap(),
        Some(0)
    );
}

#[tokio::test]
async fn a_known_address_is_answered_at_once_even_while_mail_is_down() {
    let h = harness().await;
    let profile = h.register(&name("down")).await;
    h.outbox.set_down(true);
    let tried = h.outbox.attempts();
    // Answered before the mail is tried, so neither the wait nor the failure shows.
    h.service
        .send_reset_captcha(&email(&profile.email))
        .await
        .unwrap();
    h.outbox.tried(tried + 1).await;
    assert_eq!(
        h.outbox.count_to(&profile.email),
        1,
        "only the register mail"
    );
}

#[tokio::test]
async fn reset_codes_go_only_to_known_addresses() {
    let h = harness().await;
    let unknown = format!("{}@example.com", name("nobody"));
    h.service
        .send_reset_captcha(&email(&unknown))
        .await
        .unwrap();
    assert_eq!(h.outbox.count_to(&unknown), 0);
    // The interval holds either way, so a 429 does not tell the two apart.
    let again = h.service.send_reset_captcha(&email(&unknown)).await;
    assert!(
        matches!(again, Err(UserError::CaptchaTooSoon { .. })),
        "{again:?}"
    );
}

#[tokio::test]
async fn search_matches_substrings_literally_and_pages() {
    let h = harness().await;
    let me = h.register(&name("searcher")).await;
    let tag = name("q");
    let mut ids = Vec::new();
    for suffix in ["a", "b", "c"] {
        ids.push(h.register(&format!("{tag}_{suffix}")).await.id);
    }
    // `_` is literal: "xq1_" must not match "xq1a..." style names, only the underscore ones.
    let decoy = h.register(&format!("{}x", tag.replace('q', "Q"))).await;
    let text = SearchText::parse(&format!("{}_", tag.to_uppercase())).unwrap();
    let first = h
        .service
        .search(
            UserId::new(me.id),
            &text,
            PageRequest::parse(Some("1"), Some("2")).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(first.total, 3);
    assert_eq!(
        first.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        ids[..2]
    );
    let second = h
        .service
        .search(
            UserId::new(me.id),
            &text,
            PageRequest::parse(Some("2"), Some("2")).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        second.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        ids[2..]
    );
    assert!(!second.items.iter().any(|u| u.id == decoy.id));
    let percent = SearchText::parse("%").unwrap();
    let none = h
        .service
        .search(UserId::new(me.id), &percent, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(none.total, 0);
}

#[tokio::test]
async fn search_leaves_out_the_caller() {
    let h = harness().await;
    let me = h.register(&name("self")).await;
    let text = SearchText::parse(&me.username).unwrap();
    let page = h
        .service
        .search(UserId::new(me.id), &text, PageRequest::default())
        .await
        .unwrap();
    assert!(page.items.is_empty());
}

#[tokio::test]
async fn parallel_guesses_cannot_outrun_the_five_tries() {
    let h = harness().await;
    let (address, code) = h.register_code("burst").await;
    let wrong = other_code(&code);
    let guesses = (0..8).map(|_| {
        h.service
            .register(register_input(&name("g"), &address, wrong))
    });
    for result in futures_util::future::join_all(guesses).await {
        assert!(
            matches!(result, Err(UserError::CaptchaInvalid)),
            "{result:?}"
        );
    }
    let right = h
        .service
        .register(register_input(&name("g"), &address, &code))
        .await;
    assert!(matches!(right, Err(UserError::CaptchaInvalid)), "{right:?}");
}

#[tokio::test]
async fn a_taken_address_is_reported_as_such_whatever_it_contains() {
    let h = harness().await;
    // The address contains the word "username": the error must still name the email.
    let first = h.register(&format!("username{}", name("x"))).await;
    let err = register_again(&h, &name("other"), &first.email).await;
    assert!(matches!(err, Err(UserError::EmailTaken)), "{err:?}");
}
