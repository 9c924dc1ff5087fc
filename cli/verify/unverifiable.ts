/**
 * Why a release cannot be checked (no commit on chain, the repository or the
 * commit out of reach, a build that does not run here). Not a GopkgrError: it
 * is one of verify's three verdicts, reported with exit code 2, not a failure
 * of the command.
 */
export class Unverifiable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Unverifiable';
  }
}
