/** The shop's regions. Every record that matters carries one. */
export const regions = ['eu-west', 'us-east', 'ap-south'] as const;
export type Region = (typeof regions)[number];
