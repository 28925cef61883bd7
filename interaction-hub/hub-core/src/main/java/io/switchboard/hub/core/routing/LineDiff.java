package io.switchboard.hub.core.routing;

import java.util.ArrayList;
import java.util.List;

/** A line diff (longest common subsequence) for comparing two versions of the rules file. */
public final class LineDiff {
  private LineDiff() {}

  /** Lines prefixed with "  " (same), "- " (only in {@code from}) or "+ " (only in {@code to}). */
  public static List<String> diff(String from, String to) {
    String[] a = from.split("\n", -1);
    String[] b = to.split("\n", -1);
    if ((long) a.length * b.length > 25_000_000L) {
      throw new IllegalArgumentException("files too large to diff line by line");
    }
    int[][] lcs = new int[a.length + 1][b.length + 1];
    for (int i = a.length - 1; i >= 0; i--) {
      for (int j = b.length - 1; j >= 0; j--) {
        lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.length && j < b.length) {
      if (a[i].equals(b[j])) {
        out.add("  " + a[i]);
        i++;
        j++;
      } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
        out.add("- " + a[i++]);
      } else {
        out.add("+ " + b[j++]);
      }
    }
    while (i < a.length) {
      out.add("- " + a[i++]);
    }
    while (j < b.length) {
      out.add("+ " + b[j++]);
    }
    return out;
  }
}
