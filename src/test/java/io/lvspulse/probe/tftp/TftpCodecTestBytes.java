package io.lvspulse.probe.tftp;

import java.util.HexFormat;

/** Reference datagrams captured from real tftpd-hpa, atftpd and dnsmasq servers. */
final class TftpCodecTestBytes {
  private TftpCodecTestBytes() {}

  static final byte[] CONNECT_RRQ =
      HexFormat.of().parseHex("00014e6147694f735f436845634b5f46694c65006f6374657400");
}
