package io.switchboard.routing.sim;

/** An arrivals or roster file that cannot be used; the message names the file and line (or entry). */
public final class SimulationInputException extends Exception {
  public SimulationInputException(String message) {
    super(message);
  }
}
