package io.lvspulse.probe.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.probe.FailureCause;
import io.lvspulse.probe.ProbeResult;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The protocol rules of one probe, driven by hand with a fake clock (no sockets, no sleeping). */
class TftpTransferTest {
  private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 69);
  private static final InetSocketAddress TID = new InetSocketAddress("127.0.0.1", 40001);
  private static final InetSocketAddress OTHER_PORT = new InetSocketAddress("127.0.0.1", 40002);
  private static final long MS = 1_000_000L;

  private record Sent(InetSocketAddress to, TftpPacket packet) {}

  private final List<Sent> sent = new ArrayList<>();
  private final TftpTransfer.Wire wire =
      (to, b) -> sent.add(new Sent(to, ((TftpCodec.Decoded) TftpCodec.decode(b)).packet()));

  private static ByteBuffer buf(TftpPacket p) {
    return p.encode();
  }

  private static TftpCheck connect() {
    return TftpCheck.connect(SERVER, Duration.ofSeconds(5))
        .withRetransmitInterval(Duration.ofSeconds(1));
  }

  private static TftpCheck get(long size, int blksize) {
    return TftpCheck.get(SERVER, "f", size, Optional.empty(), Duration.ofSeconds(5))
        .withBlockSize(blksize);
  }

  @Test
  void the_connect_probe_sends_check_tftps_rrq_in_octet_mode_to_the_listening_port() {
    TftpTransfer t = new TftpTransfer(connect(), SERVER, 0);
    t.start(0, wire);
    assertThat(sent)
        .containsExactly(new Sent(SERVER, new TftpPacket.Rrq("NaGiOs_ChEcK_FiLe", "octet")));
  }

  @Test
  void any_error_text_from_a_new_port_is_an_answer_from_the_server() {
    for (String text :
        List.of("File not found", "file /x/NaGiOs_ChEcK_FiLe not found for 127.0.0.1", "")) {
      TftpTransfer t = new TftpTransfer(connect(), SERVER, 0);
      t.start(0, wire);
      t.onDatagram(TID, buf(new TftpPacket.Error(1, text)), 3 * MS, wire);
      assertThat(t.result())
          .contains(ProbeResult.ok("OK - answer from server", Duration.ofMillis(3)));
    }
  }

  @Test
  void a_connect_probe_that_gets_data_stops_the_transfer_with_an_error() {
    TftpTransfer t = new TftpTransfer(connect(), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[512])), MS, wire);
    assertThat(t.result().orElseThrow().success()).isTrue();
    assertThat(sent.get(sent.size() - 1).to()).isEqualTo(TID);
    assertThat(sent.get(sent.size() - 1).packet()).isInstanceOf(TftpPacket.Error.class);
  }

  @Test
  void the_rrq_is_retransmitted_every_interval_and_the_probe_times_out_at_its_deadline() {
    TftpTransfer t = new TftpTransfer(connect(), SERVER, 0);
    t.start(0, wire);
    long now = 0;
    while (!t.done()) {
      now = t.nextTimerNanos();
      t.onTimer(now, wire);
    }
    assertThat(now).isEqualTo(5_000 * MS);
    assertThat(sent)
        .hasSize(5)
        .allMatch(s -> s.to().equals(SERVER) && s.packet() instanceof TftpPacket.Rrq);
    ProbeResult r = t.result().orElseThrow();
    assertThat(r.timedOut()).isTrue();
    assertThat(r.message()).isEqualTo("Transfer timed out");
    assertThat(r.elapsed()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void replies_from_another_address_are_ignored() {
    TftpTransfer t = new TftpTransfer(connect(), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(
        new InetSocketAddress("127.0.0.2", 69), buf(new TftpPacket.Error(1, "x")), MS, wire);
    assertThat(t.done()).isFalse();
    assertThat(t.ignoredForeignDatagrams()).isEqualTo(1);
    assertThat(sent).hasSize(1);
  }

  @Test
  void malformed_or_wrong_opcode_replies_never_count_and_are_reported_at_the_deadline() {
    TftpTransfer t = new TftpTransfer(connect(), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, ByteBuffer.wrap(new byte[] {0, 5, 0}), MS, wire); // truncated ERROR
    t.onDatagram(TID, buf(new TftpPacket.Ack(1)), MS, wire);
    t.onDatagram(TID, buf(new TftpPacket.Rrq("NaGiOs_ChEcK_FiLe", "octet")), MS, wire); // an echo
    t.onDatagram(TID, buf(new TftpPacket.Data(2, new byte[3])), MS, wire);
    t.onDatagram(TID, buf(new TftpPacket.Oack(Map.of("blksize", "512"))), MS, wire);
    assertThat(t.done()).isFalse();
    t.onTimer(5_000 * MS, wire);
    assertThat(t.result().orElseThrow().cause()).contains(FailureCause.MALFORMED_REPLY);
    assertThat(t.result().orElseThrow().message())
        .startsWith("Invalid reply from server: unexpected OACK");
  }

  @Test
  void icmp_port_unreachable_fails_at_once() {
    TftpTransfer t = new TftpTransfer(connect(), SERVER, 0);
    t.start(0, wire);
    t.onPortUnreachable(MS / 10);
    assertThat(t.result().orElseThrow().cause()).contains(FailureCause.PORT_UNREACHABLE);
  }

  @Test
  void a_get_follows_the_server_tid_and_answers_strays_with_error_five_a_few_times_only() {
    TftpTransfer t = new TftpTransfer(get(600, 0), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[512])), MS, wire);
    for (int i = 0; i < 100; i++) {
      t.onDatagram(OTHER_PORT, buf(new TftpPacket.Data(2, new byte[88])), MS, wire);
    }
    assertThat(t.done()).isFalse();
    assertThat(sent.stream().filter(s -> s.to().equals(OTHER_PORT)))
        .hasSize(TftpTransfer.MAX_STRAY_ANSWERS)
        .allMatch(s -> s.packet().equals(new TftpPacket.Error(5, "Unknown transfer ID")));
    t.onDatagram(TID, buf(new TftpPacket.Data(2, new byte[88])), 2 * MS, wire);
    assertThat(t.result().orElseThrow().success()).isTrue();
    assertThat(t.result().orElseThrow().message())
        .isEqualTo("OK - Received 600 bytes in 0.002 seconds");
    assertThat(sent.get(sent.size() - 1)).isEqualTo(new Sent(TID, new TftpPacket.Ack(2)));
  }

  @Test
  void a_get_negotiates_blksize_acks_the_oack_with_zero_and_uses_the_new_block_size() {
    TftpTransfer t = new TftpTransfer(get(1500, 1428), SERVER, 0);
    t.start(0, wire);
    assertThat(sent.get(0).packet())
        .isEqualTo(new TftpPacket.Rrq("f", "octet", Map.of("blksize", "1428", "tsize", "0")));
    t.onDatagram(
        TID, buf(new TftpPacket.Oack(Map.of("tsize", "1500", "blksize", "1000"))), MS, wire);
    assertThat(sent.get(1)).isEqualTo(new Sent(TID, new TftpPacket.Ack(0)));
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[1000])), MS, wire);
    assertThat(t.done()).isFalse();
    t.onDatagram(TID, buf(new TftpPacket.Data(2, new byte[500])), MS, wire);
    assertThat(t.result().orElseThrow().success()).isTrue();
  }

  @Test
  void an_oack_with_an_option_nobody_asked_for_is_refused_with_error_eight() {
    TftpTransfer t = new TftpTransfer(get(10, 1428), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Oack(Map.of("windowsize", "4"))), MS, wire);
    assertThat(t.result().orElseThrow().cause()).contains(FailureCause.MALFORMED_REPLY);
    assertThat(sent.get(1).packet()).isInstanceOf(TftpPacket.Error.class);
    assertThat(((TftpPacket.Error) sent.get(1).packet()).code()).isEqualTo(8);
  }

  @Test
  void an_oack_that_raises_blksize_above_the_request_is_refused() {
    TftpTransfer t = new TftpTransfer(get(10, 512), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Oack(Map.of("blksize", "1024"))), MS, wire);
    assertThat(t.result().orElseThrow().cause()).contains(FailureCause.MALFORMED_REPLY);
  }

  @Test
  void option_negotiation_error_eight_makes_one_retry_without_options() {
    TftpTransfer t = new TftpTransfer(get(5, 1428), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Error(8, "Unsupported option(s) requested")), MS, wire);
    assertThat(t.done()).isFalse();
    assertThat(sent.get(1)).isEqualTo(new Sent(SERVER, new TftpPacket.Rrq("f", "octet")));
    t.onDatagram(OTHER_PORT, buf(new TftpPacket.Data(1, new byte[5])), MS, wire);
    assertThat(t.result().orElseThrow().success()).isTrue();
  }

  @Test
  void block_numbers_wrap_around_after_65535() {
    long blocks = 70_000;
    TftpTransfer t = new TftpTransfer(get(blocks * 8 + 3, 8), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Oack(Map.of("blksize", "8"))), MS, wire);
    byte[] eight = new byte[8];
    for (long b = 1; b <= blocks; b++) {
      t.onDatagram(TID, buf(new TftpPacket.Data((int) (b & 0xFFFF), eight)), MS, wire);
    }
    assertThat(t.done()).isFalse();
    t.onDatagram(
        TID, buf(new TftpPacket.Data((int) ((blocks + 1) & 0xFFFF), new byte[3])), MS, wire);
    assertThat(t.result().orElseThrow().message()).startsWith("OK - Received 560003 bytes");
  }

  @Test
  void a_file_that_is_an_exact_multiple_of_the_block_size_ends_with_an_empty_block() {
    TftpTransfer t = new TftpTransfer(get(1024, 0), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[512])), MS, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(2, new byte[512])), MS, wire);
    assertThat(t.done()).isFalse();
    t.onDatagram(TID, buf(new TftpPacket.Data(3, new byte[0])), MS, wire);
    assertThat(t.result().orElseThrow().success()).isTrue();
  }

  @Test
  void a_duplicate_block_is_acknowledged_again_and_counted_once() {
    TftpTransfer t = new TftpTransfer(get(600, 0), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[512])), MS, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[512])), MS, wire);
    assertThat(sent.subList(1, 3))
        .containsExactly(
            new Sent(TID, new TftpPacket.Ack(1)), new Sent(TID, new TftpPacket.Ack(1)));
    t.onDatagram(TID, buf(new TftpPacket.Data(2, new byte[88])), MS, wire);
    assertThat(t.result().orElseThrow().success()).isTrue();
  }

  @Test
  void a_lost_ack_is_resent_at_the_retransmission_interval() {
    TftpTransfer t =
        new TftpTransfer(get(600, 0).withRetransmitInterval(Duration.ofMillis(500)), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[512])), MS, wire);
    t.onTimer(t.nextTimerNanos(), wire);
    assertThat(sent.get(sent.size() - 1)).isEqualTo(new Sent(TID, new TftpPacket.Ack(1)));
  }

  @Test
  void the_wrong_size_is_a_mismatch_in_check_tftps_words() {
    TftpTransfer t = new TftpTransfer(get(601, 0), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[512])), MS, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(2, new byte[88])), MS, wire);
    ProbeResult r = t.result().orElseThrow();
    assertThat(r.message()).isEqualTo("File size mismatch: expected 601 bytes, got 600 bytes");
    assertThat(r.cause()).contains(FailureCause.TRANSFER_ERROR);
  }

  @Test
  void a_file_larger_than_expected_is_stopped_early() {
    TftpTransfer t = new TftpTransfer(get(100, 0), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[512])), MS, wire);
    assertThat(t.result().orElseThrow().message())
        .isEqualTo("File size mismatch: expected 100 bytes, got at least 512 bytes");
    assertThat(sent.get(sent.size() - 1).packet()).isInstanceOf(TftpPacket.Error.class);
  }

  @Test
  void file_not_found_in_get_mode_is_check_tftps_message() {
    TftpTransfer t = new TftpTransfer(get(1, 0), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Error(1, "File not found")), MS, wire);
    assertThat(t.result().orElseThrow().message()).isEqualTo("Server answered: file f not found");
    TftpTransfer t2 = new TftpTransfer(get(1, 0), SERVER, 0);
    t2.start(0, wire);
    t2.onDatagram(TID, buf(new TftpPacket.Error(2, "Access violation")), MS, wire);
    assertThat(t2.result().orElseThrow().message())
        .isEqualTo("Unknown error: Error code 2: Access violation");
  }

  @Test
  void the_digest_is_checked_when_given() throws Exception {
    byte[] content = "hello from tftp lab\n".getBytes(StandardCharsets.US_ASCII);
    String good = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    for (String want : List.of(good, "0".repeat(64))) {
      TftpCheck c =
          TftpCheck.get(SERVER, "f", content.length, Optional.of(want), Duration.ofSeconds(1))
              .withBlockSize(0);
      TftpTransfer t = new TftpTransfer(c, SERVER, 0);
      t.start(0, wire);
      t.onDatagram(TID, buf(new TftpPacket.Data(1, content)), MS, wire);
      assertThat(t.result().orElseThrow().success()).isEqualTo(want.equals(good));
    }
  }

  @Test
  void netascii_is_counted_as_the_file_a_client_would_write() {
    // a CR LF inside a block, and a CR NUL split across two blocks
    TftpCheck c =
        TftpCheck.get(SERVER, "f", 7, Optional.empty(), Duration.ofSeconds(1))
            .withBlockSize(8)
            .withNetascii(true);
    TftpTransfer t = new TftpTransfer(c, SERVER, 0);
    t.start(0, wire);
    assertThat(((TftpPacket.Rrq) sent.get(0).packet()).mode()).isEqualTo("netascii");
    t.onDatagram(TID, buf(new TftpPacket.Oack(Map.of("blksize", "8"))), MS, wire);
    t.onDatagram(
        TID,
        buf(new TftpPacket.Data(1, new byte[] {'a', '\r', '\n', 'b', 'x', 'y', 'z', '\r'})),
        MS,
        wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(2, new byte[] {0})), MS, wire);
    // a, \n, b, x, y, z, \r = 7 bytes (CR LF became LF, CR NUL became CR)
    assertThat(t.result().orElseThrow().message()).startsWith("OK - Received 7 bytes");
  }

  @Test
  void garbage_from_the_locked_tid_ends_the_transfer_as_malformed() {
    TftpTransfer t = new TftpTransfer(get(600, 0), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[512])), MS, wire);
    t.onDatagram(TID, ByteBuffer.wrap(new byte[] {0, 9, 1}), MS, wire);
    assertThat(t.result().orElseThrow().cause()).contains(FailureCause.MALFORMED_REPLY);
  }

  @Test
  void a_block_larger_than_negotiated_is_malformed() {
    TftpTransfer t = new TftpTransfer(get(600, 0), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[513])), MS, wire);
    assertThat(t.result().orElseThrow().cause()).contains(FailureCause.MALFORMED_REPLY);
  }

  @Test
  void a_timeout_mid_transfer_tells_the_server_to_stop() {
    TftpTransfer t = new TftpTransfer(get(600, 0), SERVER, 0);
    t.start(0, wire);
    t.onDatagram(TID, buf(new TftpPacket.Data(1, new byte[512])), MS, wire);
    t.onTimer(t.deadlineNanos(), wire);
    assertThat(t.result().orElseThrow().timedOut()).isTrue();
    assertThat(sent.get(sent.size() - 1).to()).isEqualTo(TID);
    assertThat(sent.get(sent.size() - 1).packet()).isInstanceOf(TftpPacket.Error.class);
  }
}
