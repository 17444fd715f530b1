package io.lvspulse.ipvs;

/** The IPVS table text could not be parsed; nothing of it is used. Names the line. */
public final class IpvsParseException extends Exception {
  private final int lineNumber;
  private final String line;

  public IpvsParseException(int lineNumber, String line, String reason) {
    super("line " + lineNumber + ": " + reason + ": '" + abbreviate(line) + "'");
    this.lineNumber = lineNumber;
    this.line = line;
  }

  /** 1-based number of the offending line. */
  public int lineNumber() {
    return lineNumber;
  }

  /** The offending line. */
  public String line() {
    return line;
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
