import testing from './testing.js'

export const { MockServer, watchPollsInFlight } = testing
export default testing
