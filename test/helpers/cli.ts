// Runs the CLI from sources (tests), exactly as bin/bus-lab.js runs the bundle.
import { main } from '../../src/cli/main';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
