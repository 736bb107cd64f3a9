//! The claims of a correctly signed token: expiry and the other times with their leeway,
//! issuer and audience, and which claim names the user.

use serde_json::json;

use super::*;

#[test]
fn a_valid_token_yields_its_subject() {
    assert_eq!(
        run(&hs256(&valid_claims()), &secret_verifier()),
        Ok("user-1".into())
    );
}

#[test]
fn times_and_user_ids_get_their_exact_reason() {
    let exp = at(3600);
    let case = |claims: Value, expected: Result<&str, InvalidToken>, why| -> Case {
        (hs256(&claims), secret(), expected.map(str::to_owned), why)
    };
    assert_cases(vec![
        case(
            json!({"sub": "u", "exp": at(-61)}),
            Err(InvalidToken::Expired),
            "expired beyond the leeway",
        ),
        case(
            json!({"sub": "u", "exp": at(-59)}),
            Ok("u"),
            "expired within the leeway",
        ),
        case(
            json!({"sub": "u", "exp": at(60) as f64 + 0.5}),
            Ok("u"),
            "fractional exp",
        ),
        case(
            json!({"sub": "u"}),
            Err(InvalidToken::MissingExpiry),
            "no exp",
        ),
        case(
            json!({"sub": "u", "exp": exp.to_string()}),
            Err(InvalidToken::Malformed),
            "exp as a string",
        ),
        case(
            json!({"sub": "u", "exp": exp, "nbf": at(61)}),
            Err(InvalidToken::NotYetValid),
            "nbf in the future",
        ),
        case(
            json!({"sub": "u", "exp": exp, "nbf": at(59)}),
            Ok("u"),
            "nbf within the leeway",
        ),
        case(
            json!({"sub": "u", "exp": exp, "iat": at(61)}),
            Err(InvalidToken::IssuedInFuture),
            "iat in the future",
        ),
        case(
            json!({"sub": "u", "exp": exp, "iat": at(-3000)}),
            Ok("u"),
            "iat in the past",
        ),
        case(
            json!({"exp": exp}),
            Err(InvalidToken::NoUserId),
            "no sub nor userId",
        ),
        case(
            json!({"sub": "", "exp": exp}),
            Err(InvalidToken::NoUserId),
            "blank sub",
        ),
        case(
            json!({"sub": 42, "exp": exp}),
            Err(InvalidToken::NoUserId),
            "numeric sub",
        ),
    ]);
}

#[test]
fn the_leeway_is_configurable() {
    let mut strict = secret_verifier();
    strict.rules.leeway = TimeDelta::zero();
    let just_expired = hs256(&json!({"sub": "u", "exp": at(-1)}));
    assert_eq!(run(&just_expired, &strict), Err(InvalidToken::Expired));
    assert_eq!(run(&just_expired, &secret_verifier()), Ok("u".into()));
}

#[test]
fn the_original_keybox_user_id_claim_is_used_when_there_is_no_subject() {
    let claims = json!({"userId": "60f7b3b3e6b3a72e8c8e4a1a", "email": "a@b.c", "exp": at(60)});
    assert_eq!(
        run(&hs256(&claims), &secret_verifier()),
        Ok("60f7b3b3e6b3a72e8c8e4a1a".into())
    );
    let both = json!({"sub": "from-sub", "userId": "from-user-id", "exp": at(60)});
    assert_eq!(
        run(&hs256(&both), &secret_verifier()),
        Ok("from-sub".into())
    );
}

#[test]
fn the_user_id_claim_is_configurable() {
    let mut verifier = secret_verifier();
    verifier.rules.user_claims = vec!["uid".into()];
    let token = hs256(&json!({"sub": "ignored", "uid": "u-42", "exp": at(60)}));
    assert_eq!(run(&token, &verifier), Ok("u-42".into()));
    let without = hs256(&json!({"sub": "ignored", "exp": at(60)}));
    assert_eq!(run(&without, &verifier), Err(InvalidToken::NoUserId));
}

#[test]
fn issuer_and_audience_are_checked_when_configured() {
    let mut verifier = secret_verifier();
    verifier.rules.issuer = Some("https://issuer.example/".into());
    verifier.rules.audiences = vec!["keybox".into(), "keybox-staging".into()];
    let token = |extra: Value| {
        let mut claims = valid_claims();
        claims
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        hs256(&claims)
    };
    let iss = "https://issuer.example/";
    let cases = [
        (
            json!({"iss": iss, "aud": "keybox"}),
            Ok("user-1".to_owned()),
            "aud string",
        ),
        (
            json!({"iss": iss, "aud": ["other", "keybox-staging"]}),
            Ok("user-1".into()),
            "aud array containing ours",
        ),
        (
            json!({"iss": iss, "aud": ["other", "another"]}),
            Err(InvalidToken::WrongAudience),
            "aud array without ours",
        ),
        (
            json!({"iss": iss, "aud": "KEYBOX"}),
            Err(InvalidToken::WrongAudience),
            "aud is case-sensitive",
        ),
        (
            json!({"iss": iss, "aud": 7}),
            Err(InvalidToken::WrongAudience),
            "aud not a string",
        ),
        (
            json!({"iss": iss, "aud": "*"}),
            Err(InvalidToken::WrongAudience),
            "a token's `*` is no wildcard",
        ),
        (
            json!({"iss": iss}),
            Err(InvalidToken::WrongAudience),
            "no aud",
        ),
        (
            json!({"iss": "https://evil.example/", "aud": "keybox"}),
            Err(InvalidToken::WrongIssuer),
            "wrong iss",
        ),
        (
            json!({"iss": "https://issuer.example", "aud": "keybox"}),
            Err(InvalidToken::WrongIssuer),
            "iss must match exactly",
        ),
        (
            json!({"aud": "keybox"}),
            Err(InvalidToken::WrongIssuer),
            "no iss",
        ),
    ];
    for (extra, expected, why) in cases {
        assert_eq!(run(&token(extra), &verifier), expected, "{why}");
    }
    let unconfigured = hs256(&json!({"sub": "u", "exp": at(60), "iss": "x", "aud": "y"}));
    assert_eq!(
        run(&unconfigured, &secret_verifier()),
        Ok("u".into()),
        "not checked unless set"
    );
}
