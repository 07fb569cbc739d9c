use super::*;
use crate::schedule::TimeZone;

const TWO: &str = "\
# a QuickFIX file
[DEFAULT]
ConnectionType=acceptor
SocketAcceptPort=5001
HeartBtInt=20
FileStorePath=store
StartTime=00:00:00
EndTime=23:59:59

[SESSION]
BeginString=FIX.4.2
SenderCompID=ISLD
TargetCompID=TW42

[SESSION]
BeginString=FIX.4.4
SenderCompID=ISLD
TargetCompID=TW44
HeartBtInt=5
ResetOnLogon=Y
";

#[test]
fn sessions_inherit_defaults_and_override_them() {
    let s = Settings::parse(TWO).unwrap();
    assert_eq!(s.sessions.len(), 2);
    assert_eq!(s.sessions[0].session.heartbeat_secs, 20);
    assert_eq!(s.sessions[1].session.heartbeat_secs, 5);
    assert!(s.sessions[1].session.reset_on_logon && !s.sessions[0].session.reset_on_logon);
    assert_eq!(s.sessions[1].file_store_path, Some(PathBuf::from("store")));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn unknown_key_is_a_warning_naming_it_and_its_line() {
    let s = Settings::parse(&TWO.replace("HeartBtInt=5", "HeartBtInt=5\nFancyKey=1")).unwrap();
    assert_eq!(s.warnings, ["line 20: unknown key FancyKey (ignored)"]);
}

#[test]
fn line_without_equals_is_an_error_with_its_line() {
    let e = Settings::parse("[DEFAULT]\nConnectionType acceptor\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("not Key=Value"));
}

#[test]
fn key_before_any_section_is_an_error() {
    assert_eq!(Settings::parse("HeartBtInt=30\n").unwrap_err().line, 1);
}

#[test]
fn unknown_section_is_an_error() {
    assert_eq!(Settings::parse("[SESSIONS]\n").unwrap_err().line, 1);
}

#[test]
fn bad_number_names_key_value_and_line() {
    let e = Settings::parse(&TWO.replace("HeartBtInt=20", "HeartBtInt=abc")).unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (5, "HeartBtInt=abc is not a number")
    );
}

#[test]
fn missing_required_key_points_at_the_session() {
    let e = Settings::parse(&TWO.replace("TargetCompID=TW44\n", "")).unwrap_err();
    assert_eq!(e.line, 15);
    assert!(e.message.contains("TargetCompID is missing"));
}

#[test]
fn duplicate_session_is_an_error() {
    let e =
        Settings::parse(&TWO.replace("TW44", "TW42").replace("FIX.4.4", "FIX.4.2")).unwrap_err();
    assert!(e.message.contains("defined twice"));
}

#[test]
fn bad_boolean_and_choice_are_errors() {
    assert!(Settings::parse(&TWO.replace("ResetOnLogon=Y", "ResetOnLogon=maybe")).is_err());
    let e = Settings::parse(&TWO.replace("ResetOnLogon=Y", "Validator=fpga")).unwrap_err();
    assert!(e.message.contains("software, verilator"));
}

#[test]
fn initiator_needs_connect_host_and_port() {
    let text = "[SESSION]\nConnectionType=initiator\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n";
    assert!(Settings::parse(text)
        .unwrap_err()
        .message
        .contains("SocketConnectHost"));
}

#[test]
fn gapless_keys_are_typed() {
    let text = TWO
        .replace(
            "ResetOnLogon=Y",
            "FsyncPolicy=interval:5\nTimeStampPrecision=6",
        )
        .replace(
            "HeartBtInt=20",
            "HeartBtInt=20\nIO=dpdk\nDpdkLocalIP=10.0.0.2/24",
        );
    let s = &Settings::parse(&text).unwrap().sessions[1];
    assert_eq!(s.fsync, FsyncPolicy::IntervalMs(5));
    assert_eq!(s.io, IoKind::Dpdk);
    assert_eq!(s.session.precision, Precision::Micros);
    assert_eq!(s.dpdk.local_ip.as_deref(), Some("10.0.0.2/24"));
}

#[test]
fn dpdk_keys_parse_in_default_without_warnings() {
    let text = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\nIO=dpdk\n\
        DpdkEalArgs=--no-huge -m 512 --no-pci --no-shconf --vdev=net_ring0\n\
        DpdkPort=1\nDpdkQueue=0\nDpdkLocalIp=10.0.0.1/24\nDpdkLocalMac=02:00:00:00:00:01\n\
        DpdkGateway=10.0.0.254\nDpdkCapture=/tmp/cap.pcapng\n\
        [SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n";
    let all = Settings::parse(text).unwrap();
    assert!(all.warnings.is_empty(), "{:?}", all.warnings);
    let d = &all.sessions[0].dpdk;
    assert_eq!(all.sessions[0].io, IoKind::Dpdk);
    assert_eq!(
        d.eal_args,
        "--no-huge -m 512 --no-pci --no-shconf --vdev=net_ring0"
    );
    assert_eq!((d.port, d.queue), (1, 0));
    assert_eq!(d.local_ip.as_deref(), Some("10.0.0.1/24"));
    assert_eq!(d.local_mac.as_deref(), Some("02:00:00:00:00:01"));
    assert_eq!(d.gateway_ip.as_deref(), Some("10.0.0.254"));
    assert_eq!(
        d.capture.as_deref(),
        Some(std::path::Path::new("/tmp/cap.pcapng"))
    );
}

#[test]
fn the_shipped_configs_parse_without_warnings() {
    for f in ["conformance.cfg", "acceptor.cfg", "initiator.cfg"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("configs")
            .join(f);
        let s = Settings::load(&path).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(s.warnings.is_empty(), "{f}: {:?}", s.warnings);
    }
}

const SCHEDULED: &str = "\
[DEFAULT]
ConnectionType=acceptor
SocketAcceptPort=5001
BeginString=FIX.4.4
[SESSION]
SenderCompID=ISLD
TargetCompID=TW
StartTime=17:00:00
EndTime=17:00:00
StartDay=Sunday
EndDay=Fr
TimeZone=UTC-5
";

#[test]
fn schedule_keys_build_a_weekly_schedule_in_the_zone() {
    let s = Settings::parse(SCHEDULED).unwrap();
    let sched = s.sessions[0].session.schedule.clone().unwrap();
    assert_eq!((sched.start, sched.end), (61_200, 61_200));
    assert_eq!(sched.zone, TimeZone::Fixed(-18_000));
    assert!(sched.days.is_some());
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn no_start_time_means_no_schedule() {
    let text = SCHEDULED
        .replace("StartTime=17:00:00\nEndTime=17:00:00\n", "")
        .replace("StartDay=Sunday\nEndDay=Fr\nTimeZone=UTC-5\n", "");
    assert!(Settings::parse(&text).unwrap().sessions[0]
        .session
        .schedule
        .is_none());
}

#[test]
fn unknown_time_zone_is_an_error_naming_the_line_and_the_accepted_forms() {
    let e = Settings::parse(&SCHEDULED.replace("UTC-5", "Mars/Olympus_Mons")).unwrap_err();
    assert_eq!(e.line, 12);
    assert!(e.message.contains("fixed offset"), "{e}");
    assert!(e.message.contains("IANA name"), "{e}");
}

#[test]
fn iana_time_zone_is_loaded_from_the_tz_database() {
    if !std::path::Path::new("/usr/share/zoneinfo/America/New_York").exists() {
        eprintln!("no tz database on this machine: skipped");
        return;
    }
    let s = Settings::parse(&SCHEDULED.replace("UTC-5", "America/New_York")).unwrap();
    let zone = s.sessions[0].session.schedule.clone().unwrap().zone;
    assert!(matches!(zone, TimeZone::Iana(ref z) if z.name == "America/New_York"));
}

#[test]
fn start_time_without_end_time_is_an_error() {
    let e = Settings::parse(&SCHEDULED.replace("EndTime=17:00:00\n", "")).unwrap_err();
    assert!(
        e.message.contains("StartTime and EndTime go together"),
        "{e}"
    );
}

#[test]
fn start_day_without_times_is_an_error() {
    let e = Settings::parse(&SCHEDULED.replace("StartTime=17:00:00\nEndTime=17:00:00\n", ""))
        .unwrap_err();
    assert!(e.message.contains("StartDay needs StartTime"), "{e}");
}

#[test]
fn malformed_end_time_names_its_line() {
    let e = Settings::parse(&SCHEDULED.replace("EndTime=17:00:00", "EndTime=5pm")).unwrap_err();
    assert_eq!(e.line, 9);
    assert!(e.message.contains("HH:MM:SS"), "{e}");
}

#[test]
fn allowed_remote_addresses_are_a_comma_separated_ip_list() {
    let text = SCHEDULED.replace("TimeZone=UTC-5", "AllowedRemoteAddresses=127.0.0.1, ::1");
    let s = Settings::parse(&text).unwrap();
    let want: Vec<std::net::IpAddr> = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
    assert_eq!(s.sessions[0].session.allowed_remote_addresses, want);
}

#[test]
fn allowed_remote_address_that_is_a_host_name_is_an_error() {
    let text = SCHEDULED.replace(
        "TimeZone=UTC-5",
        "AllowedRemoteAddresses=127.0.0.1,localhost",
    );
    let e = Settings::parse(&text).unwrap_err();
    assert_eq!(e.line, 12);
    assert!(
        e.message.contains("\"localhost\" is not an IP address"),
        "{e}"
    );
}

#[test]
fn thread_cores_and_segment_bytes_parse_and_default_to_park_and_64_mib() {
    let text = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\n\
        RecoveryCore=1\nStoreCore=0\nSegmentBytes=4194304\n\
        [SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n\
        [SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=C\n\
        RecoveryCore=\nSegmentBytes=67108864\n";
    let all = Settings::parse(text);
    assert!(all.is_err(), "an empty core is not a number");
    let text = text.replace("RecoveryCore=\n", "");
    let all = Settings::parse(&text).unwrap();
    assert!(all.warnings.is_empty(), "{:?}", all.warnings);
    let (a, b) = (&all.sessions[0], &all.sessions[1]);
    assert_eq!(
        (a.recovery_core, a.store_core, a.segment_bytes),
        (Some(1), Some(0), 4 << 20)
    );
    assert_eq!(b.segment_bytes, crate::store::SEGMENT_BYTES);
    let plain = Settings::parse(&text.replace("RecoveryCore=1\nStoreCore=0\n", "")).unwrap();
    assert_eq!(
        (
            plain.sessions[0].recovery_core,
            plain.sessions[0].store_core
        ),
        (None, None)
    );
}

#[test]
fn segment_bytes_below_1_mib_or_not_whole_pages_is_an_error_saying_what_to_use() {
    for bad in ["65536", "1048577"] {
        let text = format!(
            "[SESSION]\nConnectionType=acceptor\nSocketAcceptPort=5001\nBeginString=FIX.4.4\n\
             SenderCompID=A\nTargetCompID=B\nSegmentBytes={bad}\n"
        );
        let e = Settings::parse(&text).unwrap_err();
        assert_eq!(e.line, 7);
        assert!(e.message.contains("multiple of 4096"), "{}", e.message);
    }
}

#[test]
fn ref_tag_id_always_is_off_by_default_and_settable() {
    let s =
        Settings::parse(&TWO.replace("HeartBtInt=5", "HeartBtInt=5\nRefTagIDAlways=Y")).unwrap();
    assert!(!s.sessions[0].session.ref_tag_id_always);
    assert!(s.sessions[1].session.ref_tag_id_always);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn recovery_core_set_differently_in_a_session_is_an_error_not_overruled_by_the_first() {
    let text = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\nBeginString=FIX.4.4\n\
        [SESSION]\nSenderCompID=A\nTargetCompID=B\nRecoveryCore=1\n\
        [SESSION]\nSenderCompID=A\nTargetCompID=C\n";
    let e = Settings::parse(text).unwrap_err();
    assert!(
        e.message
            .contains("RecoveryCore applies to the whole engine"),
        "{e}"
    );
}

#[test]
fn every_key_the_table_lists_as_read_is_read_by_the_loader() {
    let both = |role: &str, endpoint: &str| {
        format!(
            "[DEFAULT]\nConnectionType={role}\n{endpoint}\nSocketUseSSL=Y\n\
             [SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n"
        )
    };
    get::ASKED.with(|a| a.borrow_mut().clear());
    Settings::parse(&both("acceptor", "SocketAcceptPort=5001")).unwrap();
    Settings::parse(&both(
        "initiator",
        "SocketConnectHost=127.0.0.1\nSocketConnectPort=5001",
    ))
    .unwrap();
    let asked = get::ASKED.with(|a| a.borrow().clone());
    let unread: Vec<&str> = keys::KEYS
        .iter()
        .filter(|k| k.rule == keys::Rule::Read && !asked.contains(&k.name.to_ascii_lowercase()))
        .map(|k| k.name)
        .collect();
    assert!(
        unread.is_empty(),
        "listed as read but never read (silently ignored): {unread:?}"
    );
}

#[test]
fn a_tls_key_without_socket_use_ssl_is_one_warning_not_silently_ignored() {
    let s = Settings::parse(&TWO.replace(
        "HeartBtInt=20",
        "HeartBtInt=20\nServerCertificateFile=cert.pem",
    ))
    .unwrap();
    assert_eq!(
        s.warnings,
        [
            "line 6: ServerCertificateFile has no effect without SocketUseSSL=Y (ignored): set \
          SocketUseSSL=Y for TLS, or remove the line"
        ]
    );
}

const INITIATOR: &str = "[DEFAULT]\nConnectionType=initiator\nSocketConnectHost=127.0.0.1\n\
    SocketConnectPort=5001\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n";

#[test]
fn session_qualifier_tells_apart_initiators_and_names_their_files() {
    let text =
        format!("{INITIATOR}[SESSION]\nSessionQualifier=east\n[SESSION]\nSessionQualifier=west\n");
    let s = Settings::parse(&text).unwrap();
    assert_eq!(s.sessions[0].id(), "FIX.4.4:A->B:east");
    assert_eq!(s.sessions[1].file_id(), "FIX.4.4-A-B-west");
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn session_qualifier_on_an_acceptor_is_an_error_naming_its_line() {
    let e =
        Settings::parse(&TWO.replace("TargetCompID=TW42", "TargetCompID=TW42\nSessionQualifier=q"))
            .unwrap_err();
    assert_eq!(e.line, 14);
    assert!(e.message.contains("cannot be used with an acceptor"), "{e}");
}

#[test]
fn use_local_time_puts_the_schedule_in_the_machines_zone_and_excludes_time_zone() {
    let with = |extra: &str| {
        format!(
            "{INITIATOR}StartTime=08:00:00\nEndTime=17:00:00\nUseLocalTime=Y\n{extra}[SESSION]\n"
        )
    };
    let s = Settings::parse(&with("")).unwrap();
    let zone = s.sessions[0].session.schedule.clone().unwrap().zone;
    assert_eq!(zone, TimeZone::local().unwrap());
    let e = Settings::parse(&with("TimeZone=UTC\n")).unwrap_err();
    assert!(e.message.contains("keep one"), "{e}");
}

#[test]
fn send_reset_seq_num_flag_is_refused_pointing_at_reset_on_logon() {
    let e = Settings::parse(&format!("{INITIATOR}SendResetSeqNumFlag=Y\n[SESSION]\n")).unwrap_err();
    assert_eq!(e.line, 8);
    assert!(e.message.contains("ResetOnLogon=Y"), "{e}");
}

#[test]
fn validate_length_and_checksum_y_is_accepted_and_n_refused() {
    let text = |v: &str| format!("{INITIATOR}ValidateLengthAndChecksum={v}\n[SESSION]\n");
    assert!(Settings::parse(&text("Y")).unwrap().warnings.is_empty());
    let e = Settings::parse(&text("N")).unwrap_err();
    assert!(
        e.message
            .contains("always checks BodyLength(9) and CheckSum(10)"),
        "{e}"
    );
}

#[test]
fn send_next_expected_msg_seq_num_enables_789_and_must_agree_with_its_quickfix_j_name() {
    let text = |extra: &str| format!("{INITIATOR}SendNextExpectedMsgSeqNum=Y\n{extra}[SESSION]\n");
    assert!(
        Settings::parse(&text("")).unwrap().sessions[0]
            .session
            .enable_next_expected
    );
    let e = Settings::parse(&text("EnableNextExpectedMsgSeqNum=N\n")).unwrap_err();
    assert!(e.message.contains("set differently"), "{e}");
}

#[test]
fn a_valid_tls_config_parses_without_warnings() {
    let text = format!(
        "{INITIATOR}SocketUseSSL=Y\nClientCertificateFile=c.pem\nClientCertificateKeyFile=k.pem\n\
         CertificationAuthoritiesFile=ca.pem\nSSLServerName=gapless\nSSLProtocol=TLSv1_2\n[SESSION]\n"
    );
    let s = Settings::parse(&text).unwrap();
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert!(s.sessions[0].tls.is_some());
}
