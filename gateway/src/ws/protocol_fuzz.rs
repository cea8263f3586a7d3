//! Property tests of the frame decoder: whatever arrives, `parse` answers (a frame or a refusal)
//! and never panics; well-formed frames decode to exactly what was sent.
use super::*;
use proptest::prelude::*;

fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        ".{0,40}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("event".to_owned()),
                    Just("data".to_owned()),
                    Just("chatroomId".to_owned()),
                    Just("afterSeq".to_owned()),
                    Just("clientId".to_owned()),
                    Just("message".to_owned()),
                    Just("type".to_owned()),
                    Just("content".to_owned()),
                    Just("seq".to_owned()),
                    ".{0,12}",
                ],
                inner,
                0..6
            )
            .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

fn event_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("joinRoom".to_owned()),
        Just("leaveRoom".to_owned()),
        Just("sendMessage".to_owned()),
        Just("read".to_owned()),
        Just("ping".to_owned()),
        ".{0,16}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_text_gets_an_answer(text in ".{0,300}") {
        let _ = ClientFrame::parse(&text);
    }

    #[test]
    fn any_json_shaped_frame_gets_an_answer(event in event_name(), data in any_json()) {
        let frame = serde_json::json!({"event": event, "data": data}).to_string();
        let _ = ClientFrame::parse(&frame);
    }

    #[test]
    fn well_formed_joins_decode_exactly(room in any::<i64>(), after in proptest::option::of(0..=i64::MAX)) {
        let mut data = serde_json::json!({"chatroomId": room});
        if let Some(after) = after {
            data["afterSeq"] = serde_json::json!(after);
        }
        let text = serde_json::json!({"event": "joinRoom", "data": data}).to_string();
        prop_assert_eq!(
            ClientFrame::parse(&text),
            Ok(ClientFrame::JoinRoom { chatroom_id: room, after_seq: after.map(::chatroom::Seq::new) })
        );
    }

    #[test]
    fn a_negative_after_seq_is_refused_like_over_http(room in any::<i64>(), after in i64::MIN..0) {
        let data = serde_json::json!({"chatroomId": room, "afterSeq": after});
        let text = serde_json::json!({"event": "joinRoom", "data": data}).to_string();
        let refused = ClientFrame::parse(&text);
        prop_assert!(
            matches!(&refused, Err(bad) if bad.message.contains("non-negative")),
            "{:?}", refused
        );
    }
}
