//! The hub without sockets: plain state, plain channels.
use super::*;

fn frame(room: i64, text: &str) -> Outbound {
    LiveFrame::shared(Delivery::Notice { room }, ByteString::from(text.to_owned()))
}

fn socket(
    hub: &mut Hub,
    conn: ConnId,
    user: i64,
    capacity: usize,
) -> (mpsc::Receiver<Outbound>, oneshot::Receiver<Kick>) {
    let (queue, rx) = mpsc::channel(capacity);
    let (kick, kicked) = oneshot::channel();
    hub.connect(conn, UserId::new(user), queue, kick);
    (rx, kicked)
}

#[test]
fn delivers_to_the_sockets_of_the_room_only() {
    let mut hub = Hub::default();
    let (mut a, _) = socket(&mut hub, 1, 10, 8);
    let (mut b, _) = socket(&mut hub, 2, 11, 8);
    assert_eq!(hub.join(1, 100), Some(true));
    assert_eq!(hub.join(2, 100), Some(false));
    assert_eq!(hub.join(99, 100), None);
    hub.join(2, 200);
    hub.deliver(100, &frame(100, "x"));
    hub.deliver(200, &frame(200, "y"));
    assert_eq!(a.try_recv().unwrap().text, "x");
    assert!(a.try_recv().is_err());
    assert_eq!(b.try_recv().unwrap().text, "x");
    assert_eq!(b.try_recv().unwrap().text, "y");
}

#[test]
fn reports_rooms_gained_and_lost() {
    let mut hub = Hub::default();
    let _a = socket(&mut hub, 1, 10, 8);
    let _b = socket(&mut hub, 2, 10, 8);
    hub.join(1, 5);
    hub.join(2, 5);
    assert!(!hub.leave(1, 5));
    assert_eq!(hub.disconnect(2).lost, vec![5]);
    assert_eq!(hub.connection_count(), 1);
}

#[test]
fn a_full_queue_kicks_the_slow_socket_and_spares_the_others() {
    let mut hub = Hub::default();
    let (_slow, mut kicked) = socket(&mut hub, 1, 10, 1);
    let (mut fast, _) = socket(&mut hub, 2, 11, 8);
    hub.join(1, 7);
    hub.join(2, 7);
    hub.deliver(7, &frame(7, "1"));
    hub.deliver(7, &frame(7, "2"));
    assert_eq!(kicked.try_recv(), Ok(Kick::SlowReader));
    assert_eq!(hub.connection_count(), 1);
    assert_eq!(fast.try_recv().unwrap().text, "1");
    assert_eq!(fast.try_recv().unwrap().text, "2");
}

#[test]
fn membership_changes_move_every_socket_of_the_user() {
    let mut hub = Hub::default();
    let (mut tab1, _) = socket(&mut hub, 1, 10, 8);
    let (mut tab2, _) = socket(&mut hub, 2, 10, 8);
    assert_eq!(hub.add_user(UserId::new(10), 9).gained, vec![9]);
    hub.deliver(9, &frame(9, "hello"));
    assert_eq!(tab1.try_recv().unwrap().text, "hello");
    assert_eq!(tab2.try_recv().unwrap().text, "hello");
    assert_eq!(
        hub.remove_user(UserId::new(10), 9, &frame(9, "left")).lost,
        vec![9]
    );
    assert_eq!(tab1.try_recv().unwrap().text, "left");
    hub.deliver(9, &frame(9, "after"));
    assert!(tab1.try_recv().is_err() && tab2.try_recv().unwrap().text == "left");
}

#[test]
fn kicking_a_user_lets_only_their_sockets_go() {
    let mut hub = Hub::default();
    let (_a, mut kicked_a) = socket(&mut hub, 1, 10, 8);
    let (_b, mut kicked_b) = socket(&mut hub, 2, 11, 8);
    hub.join(1, 3);
    assert_eq!(hub.kick_user(UserId::new(10), Kick::Revoked).lost, vec![3]);
    assert_eq!(kicked_a.try_recv(), Ok(Kick::Revoked));
    assert!(kicked_b.try_recv().is_err());
    assert_eq!(hub.connection_count(), 1);
}

#[test]
fn the_newest_seq_of_a_room_is_kept_while_it_has_local_sockets() {
    let mut hub = Hub::default();
    let (_a, _kicked) = socket(&mut hub, 1, 10, 8);
    hub.join(1, 3);
    hub.seen(3, 5);
    let message = Delivery::Message { room: 3, seq: 7 };
    hub.deliver(3, &LiveFrame::shared(message, "m".into()));
    hub.seen(3, 6);
    assert_eq!(hub.seqs(), vec![(3, 7)]);
    // A room without local sockets is not followed.
    hub.seen(4, 1);
    hub.leave(1, 3);
    assert_eq!(hub.seqs(), vec![]);
}

#[test]
fn a_batch_reaches_each_socket_in_order_and_in_a_row() {
    let mut hub = Hub::default();
    let (mut a, _) = socket(&mut hub, 1, 10, 8);
    let (mut b, _) = socket(&mut hub, 2, 11, 8);
    hub.join(1, 5);
    hub.join(2, 5);
    hub.join(2, 6);
    let message = |room, seq| {
        let text = format!("{room}:{seq}");
        LiveFrame::shared(Delivery::Message { room, seq }, ByteString::from(text))
    };
    let batch = [
        message(5, 1),
        message(6, 1),
        message(5, 2),
        frame(6, "notice"),
    ];
    assert_eq!(hub.deliver_many(&batch), Interest::default());
    let texts = |rx: &mut mpsc::Receiver<Outbound>| {
        std::iter::from_fn(|| rx.try_recv().ok().map(|f| f.text.to_string())).collect::<Vec<_>>()
    };
    assert_eq!(texts(&mut a), ["5:1", "5:2"]);
    assert_eq!(texts(&mut b), ["5:1", "6:1", "5:2", "notice"]);
    assert_eq!(
        hub.seqs().into_iter().collect::<HashMap<_, _>>(),
        HashMap::from([(5, 2), (6, 1)])
    );
}

#[test]
fn a_batch_that_overflows_a_queue_kicks_that_socket_only() {
    let mut hub = Hub::default();
    let (mut slow, mut kicked) = socket(&mut hub, 1, 10, 2);
    let (mut fast, _) = socket(&mut hub, 2, 11, 8);
    hub.join(1, 7);
    hub.join(2, 7);
    let batch = [frame(7, "1"), frame(7, "2"), frame(7, "3")];
    assert_eq!(hub.deliver_many(&batch).lost, Vec::<i64>::new());
    assert_eq!(kicked.try_recv(), Ok(Kick::SlowReader));
    assert_eq!(hub.connection_count(), 1);
    // It keeps what fitted, in order, and nothing after the frame that did not.
    assert_eq!(slow.try_recv().unwrap().text, "1");
    assert_eq!(slow.try_recv().unwrap().text, "2");
    assert!(slow.try_recv().is_err());
    for text in ["1", "2", "3"] {
        assert_eq!(fast.try_recv().unwrap().text, text);
    }
}

#[test]
fn a_batch_that_kicks_the_last_socket_of_a_room_reports_the_room_lost() {
    let mut hub = Hub::default();
    let (_slow, mut kicked) = socket(&mut hub, 1, 10, 1);
    let (mut other, _) = socket(&mut hub, 2, 11, 8);
    hub.join(1, 7);
    hub.join(1, 8);
    hub.join(2, 8);
    // Two rooms in one batch: the slow socket takes "a" and overflows on "b", its second frame.
    let batch = [frame(7, "a"), frame(8, "b"), frame(7, "c")];
    assert_eq!(hub.deliver_many(&batch).lost, vec![7]);
    assert_eq!(kicked.try_recv(), Ok(Kick::SlowReader));
    assert_eq!(other.try_recv().unwrap().text, "b");
    assert!(other.try_recv().is_err());
    assert_eq!(hub.connection_count(), 1);
    // Room 8 still has its other socket.
    hub.deliver(8, &frame(8, "after"));
    assert_eq!(other.try_recv().unwrap().text, "after");
}

#[test]
fn a_one_room_batch_that_kicks_the_room_s_last_socket_reports_it_lost() {
    let mut hub = Hub::default();
    let (mut slow, mut kicked) = socket(&mut hub, 1, 10, 1);
    hub.join(1, 7);
    assert_eq!(
        hub.deliver_many(&[frame(7, "a"), frame(7, "b")]).lost,
        vec![7]
    );
    assert_eq!(kicked.try_recv(), Ok(Kick::SlowReader));
    assert_eq!(slow.try_recv().unwrap().text, "a");
    assert!(slow.try_recv().is_err());
    assert_eq!(hub.connection_count(), 0);
}

#[test]
fn a_one_room_batch_reaches_every_socket_whole() {
    let mut hub = Hub::default();
    let (mut a, _) = socket(&mut hub, 1, 10, 8);
    let (mut b, _) = socket(&mut hub, 2, 11, 8);
    let (mut outside, _) = socket(&mut hub, 3, 12, 8);
    hub.join(1, 4);
    hub.join(2, 4);
    hub.join(3, 5);
    let message =
        |seq| LiveFrame::shared(Delivery::Message { room: 4, seq }, seq.to_string().into());
    assert_eq!(
        hub.deliver_many(&[message(1), message(2), message(3)]),
        Interest::default()
    );
    for rx in [&mut a, &mut b] {
        for text in ["1", "2", "3"] {
            assert_eq!(rx.try_recv().unwrap().text, text);
        }
        assert!(rx.try_recv().is_err());
    }
    assert!(outside.try_recv().is_err());
    assert_eq!(hub.seqs(), vec![(4, 3)]);
}
